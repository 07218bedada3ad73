import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
import NIOSSL
import OAM
import OrderedCollections
import Resources
import ControllerRuntime

/// The admission webhooks of a real cluster: serves `admission.k8s.io/v1` AdmissionReviews over
/// HTTPS with its own CA (``certificates``) at
///
/// | path | does |
/// |---|---|
/// | `/mutate-components` | §10.1: `spec.workload.type` → apiVersion/kind |
/// | `/validate-components` | §10.2 and the foundation's checks |
/// | `/mutate-applicationconfigurations` | §10.3: trait `name`/`properties` → apiVersion/kind/spec |
/// | `/validate-applicationconfigurations` | §10.4 and the foundation's checks |
///
/// A mutation answers with a base64 JSON patch (`patchType: JSONPatch`); a denial with a
/// `Status` (422 Invalid, a cause per field); warnings travel as AdmissionReview warnings, which
/// kubectl prints. ``WebhookRegistration`` tells the API server where to call.
///
/// ```swift
/// let server = try WebhookServer(admission: OAMAdmission(client: client),
///                                configuration: .init(port: 9443, hosts: ["mizzen.oam-system.svc"]))
/// try await server.run { port in print("webhooks on \(port)") }
/// ```
public struct WebhookServer: Sendable {
    /// Where the server listens and which names its certificate covers.
    public struct Configuration: Sendable {
        /// The address to listen on (`0.0.0.0`: every interface, as a pod behind a Service needs).
        public var address: String
        /// 0 picks a free port.
        public var port: Int
        /// DNS names and IPv4 addresses the API server reaches the webhooks by.
        public var hosts: [String]
        /// AdmissionReviews larger than this are refused.
        public var maxBodyBytes = 3 * 1024 * 1024

        /// Listens on `address`:`port` with a certificate for `hosts`.
        public init(address: String = "0.0.0.0", port: Int, hosts: [String]) {
            self.address = address
            self.port = port
            self.hosts = hosts
        }
    }

    /// The paths served, and what each does.
    static let paths: [String: (step: OAMAdmission.Step, resource: String)] = [
        "/mutate-components": (.mutate, "components"),
        "/validate-components": (.validate, "components"),
        "/mutate-applicationconfigurations": (.mutate, "applicationconfigurations"),
        "/validate-applicationconfigurations": (.validate, "applicationconfigurations"),
    ]

    /// The CA (for the registration's `caBundle`) and the serving certificate.
    public let certificates: WebhookCertificates
    let admission: OAMAdmission
    let configuration: Configuration
    let logger: Logger

    /// A server with a freshly generated CA and serving certificate for `configuration.hosts`.
    public init(admission: OAMAdmission, configuration: Configuration,
                logger: Logger = Logger(label: "mizzen.webhook")) throws {
        self.admission = admission
        self.configuration = configuration
        self.logger = logger
        self.certificates = try WebhookCertificates(hosts: configuration.hosts)
    }

    /// Serves until the task is cancelled (or the service group shuts down).
    ///
    /// - Parameter onReady: called once listening, with the port.
    public func run(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificates.certificatePEM.utf8))
                .map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(certificates.privateKeyPEM.utf8), format: .pem)))
        tls.minimumTLSVersion = .tlsv12
        let responder = CallbackResponder<BasicRequestContext> { [self] request, _ in
            await self.respond(to: request)
        }
        let app = Application(
            responder: responder, server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.address, port: configuration.port), serverName: "mizzen-webhook"),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
        try await app.runService()
    }

    func respond(to request: Request) async -> Response {
        var request = request
        guard request.method == .post else { return Self.plain(405, "POST an AdmissionReview") }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: configuration.maxBodyBytes)
        } catch {
            return Self.plain(413, "the AdmissionReview is larger than \(configuration.maxBodyBytes) bytes")
        }
        let (status, answer) = await review(path: request.uri.path, body: Array(buffer: body))
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .init(code: status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.jsonBytes())))
    }

    private static func plain(_ status: Int, _ message: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain"
        return Response(status: .init(code: status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
    }

    /// The HTTP status and AdmissionReview answering `body` sent to `path`.
    func review(path: String, body: [UInt8]) async -> (Int, JSONValue) {
        guard let route = Self.paths[path] else {
            return (404, APIError(code: 404, reason: .notFound, message: "no webhook at \(path)").status)
        }
        let (step, resource) = (route.step, route.resource)
        let reviewRequest: JSONValue
        do {
            reviewRequest = try JSONValue(parsingJSON: body)
        } catch {
            return (400, APIError.badRequest("the body is not JSON: \(error)").status)
        }
        guard let request = reviewRequest["request"], let uid = request["uid"]?.stringValue else {
            return (400, APIError.badRequest("expected an admission.k8s.io/v1 AdmissionReview with request.uid").status)
        }
        var response: JSONObject = ["uid": .string(uid), "allowed": true]
        let operation = request["operation"]?.stringValue ?? ""
        guard case .object(let members)? = request["object"] else {
            // DELETE and CONNECT carry no object; nothing to check.
            return (200, Self.answer(response))
        }
        var object = Resource(object: members)
        if object.namespace?.isEmpty ?? true, let namespace = request["namespace"]?.stringValue, !namespace.isEmpty {
            object.namespace = namespace
        }
        let old = request["oldObject"]?.objectValue.map(Resource.init(object:))
        let requestResource = request["resource"]?["resource"]?.stringValue ?? resource
        let verdict: AdmissionVerdict
        do {
            verdict = try await admission.review(
                object, old: old, operation: operation, resource: requestResource, step: step)
        } catch {
            let failure = (error as? APIError) ?? APIError.internalError("\(error)")
            logger.error("webhook.failed", metadata: ["path": "\(path)", "error": "\(failure.message)"])
            response["allowed"] = false
            response["status"] = failure.status
            return (200, Self.answer(response))
        }
        let warnings = verdict.warnings.map(\.summary)
        if !warnings.isEmpty { response["warnings"] = .array(warnings.map(JSONValue.string)) }
        switch verdict {
        case .allowed(let admitted, _):
            let operations = JSONPatchDiff.operations(from: object.value, to: admitted.value)
            if !operations.isEmpty {
                response["patchType"] = "JSONPatch"
                response["patch"] = .string(Data(JSONValue.array(operations).jsonBytes()).base64EncodedString())
            }
        case .denied(let diagnostics):
            response["allowed"] = false
            response["status"] = OAMAdmission.invalid(object, diagnostics).status
        }
        return (200, Self.answer(response))
    }

    private static func answer(_ response: JSONObject) -> JSONValue {
        ["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": .object(response)]
    }
}
