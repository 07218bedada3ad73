import BuiltinKinds
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import Resources
import ServiceLifecycle
import Store
import Synchronization

/// How the embedded API server listens and what it allows.
public struct APIServerConfiguration: Sendable {
    /// The address to listen on; loopback unless asked otherwise.
    public var address = "127.0.0.1"
    /// The port; 0 picks a free one.
    public var port = 0
    /// Serve plain HTTP instead of TLS (never the default).
    public var insecureHTTP = false
    /// Request bodies larger than this are refused with 413.
    public var maxBodyBytes = 3 * 1024 * 1024
    /// Watches open at once; more are refused with 429.
    public var maxWatches = 1_000
    /// How often a watch that asked for bookmarks gets one.
    public var bookmarkInterval: Duration = .seconds(60)
    /// Objects the server makes sure it holds when it opens, such as the CustomResourceDefinitions
    /// and definitions of an OAM installation: missing ones are created, those whose spec differs
    /// are updated, the rest are left alone. CRDs are established before the other objects.
    public var seedObjects: [Resource] = []

    public init() {}
}

/// The embedded control plane's API server: the Kubernetes REST API of ``APIHandler`` over
/// HTTPS, with the bearer token of its data directory required on every request.
///
/// ```swift
/// let server = try await APIServer.open(dataDirectory: directory, configuration: .init())
/// try await server.run { endpoint in print("kubeconfig: \(endpoint.kubeconfig.path)") }
/// ```
public final class APIServer: Sendable {
    /// Where a running server can be reached.
    public struct Endpoint: Sendable {
        public var url: String
        public var port: Int
        public var kubeconfig: URL
    }

    public let handler: APIHandler
    let configuration: APIServerConfiguration
    let credentials: Credentials
    let certificates: ServingCertificates?
    let dataDirectory: URL
    let store: SQLiteStore
    let logger: Logger
    private let openWatches = Mutex(0)

    private init(
        handler: APIHandler, configuration: APIServerConfiguration, credentials: Credentials,
        certificates: ServingCertificates?, dataDirectory: URL, store: SQLiteStore, logger: Logger
    ) {
        self.handler = handler
        self.configuration = configuration
        self.credentials = credentials
        self.certificates = certificates
        self.dataDirectory = dataDirectory
        self.store = store
        self.logger = logger
    }

    /// Opens the store of `dataDirectory` (creating the directory, its certificates and token
    /// when new) and prepares a server; nothing listens until ``run(onReady:)``.
    ///
    /// - Throws: when the data directory is in use by another `mizzen serve`, or cannot be written;
    ///   ``SeedError`` when one of the configuration's `seedObjects` cannot be stored.
    public static func open(
        dataDirectory: URL, configuration: APIServerConfiguration, admission: [any AdmissionController] = [],
        logger: Logger = Logger(label: "mizzen.apiserver")
    ) async throws -> APIServer {
        try FileManager.default.createDirectory(
            at: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let store = try SQLiteStore(path: dataDirectory.appendingPathComponent("store.sqlite").path)
        let credentials = try Credentials.loadOrCreate(in: dataDirectory)
        let certificates = configuration.insecureHTTP
            ? nil
            : try ServingCertificates.loadOrCreate(
                in: dataDirectory, hosts: Array(Set(["localhost", "127.0.0.1", configuration.address])).sorted())
        let registry = TypeRegistry()
        let scheme = configuration.insecureHTTP ? "http" : "https"
        let authenticator = Authenticator(
            credentials: credentials, tokens: try ServiceAccountTokens.loadOrCreate(in: dataDirectory), store: store)
        let handler = APIHandler(
            store: store, registry: registry, admission: admission,
            serverAddress: "\(scheme)://\(configuration.address):\(configuration.port)", authenticator: authenticator)
        try await handler.reloadCustomResources()
        try await handler.ensureClusterObjects(serverPort: configuration.port == 0 ? 6443 : configuration.port)
        try await handler.ensureKubernetesServiceEndpoints(
            address: configuration.address, port: configuration.port == 0 ? 6443 : configuration.port)
        try await handler.ensureSystemPriorityClasses()
        try await handler.reconcileBootstrapPolicy()
        try await handler.ensureNamespaceDefaults(caCertificatePEM: certificates?.caCertificatePEM)
        if !configuration.seedObjects.isEmpty {
            do {
                _ = try await handler.seed(configuration.seedObjects, logger: logger)
            } catch {
                try? store.close()
                throw error
            }
        }
        return APIServer(
            handler: handler, configuration: configuration, credentials: credentials, certificates: certificates,
            dataDirectory: dataDirectory, store: store, logger: logger)
    }

    /// Serves until the task is cancelled or the process gets SIGINT/SIGTERM, then closes open
    /// watches and the store.
    ///
    /// - Parameters:
    ///   - handlingSignals: stop on SIGINT/SIGTERM by itself; pass `false` when it runs as one
    ///     service of a `ServiceGroup` that handles them (and decides the order of shutdown).
    ///   - onReady: called once the server listens, with where to reach it; the kubeconfig has
    ///     been written by then.
    public func run(handlingSignals: Bool = true, onReady: @escaping @Sendable (Endpoint) async -> Void) async throws {
        let scheme = configuration.insecureHTTP ? "http" : "https"
        let host = configuration.address.contains(":") ? "[\(configuration.address)]" : configuration.address
        let server: HTTPServerBuilder
        if let certificates {
            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificates.certificatePEM.utf8))
                    .map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(certificates.privateKeyPEM.utf8), format: .pem)))
            tls.minimumTLSVersion = .tlsv12
            server = try .tls(.http1(), tlsConfiguration: tls)
        } else {
            server = .http1()
        }
        let kubeconfig = dataDirectory.appendingPathComponent("kubeconfig")
        let responder = CallbackResponder<BasicRequestContext> { [self] request, _ in
            await self.respond(to: request)
        }
        let app = Application(
            responder: responder, server: server,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.address, port: configuration.port), serverName: "mizzen"),
            services: [BookmarkService(store: store, interval: configuration.bookmarkInterval)],
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? configuration.port
                let url = "\(scheme)://\(host):\(port)"
                do {
                    try credentials.writeKubeconfig(
                        to: kubeconfig, server: url, caCertificatePEM: certificates?.caCertificatePEM)
                } catch {
                    logger.error("cannot write the kubeconfig", metadata: ["error": "\(error)"])
                }
                await onReady(Endpoint(url: url, port: port, kubeconfig: kubeconfig))
            },
            logger: logger)
        defer {
            do {
                try store.close()
            } catch {
                logger.error("cannot close the store", metadata: ["error": "\(error)"])
            }
        }
        if handlingSignals {
            try await app.runService()
        } else {
            try await app.run()
        }
    }

    /// How many watches are open now.
    public var openWatchCount: Int { openWatches.withLock { $0 } }

    // MARK: HTTP

    static let publicPaths: Set<String> = ["/livez", "/readyz", "/healthz"]

    func respond(to request: Request) async -> Response {
        var request = request
        let path = request.uri.path
        var user = UserInfo.admin
        if !Self.publicPaths.contains(path) {
            do {
                user = try await handler.requestUser(
                    headers: request.headers.map { (name: $0.name.canonicalName, value: $0.value) },
                    request: AuthorizationAttributes(
                        method: request.method.rawValue, path: path,
                        query: APIRequest.parseQuery(Substring(request.uri.query ?? ""))))
            } catch let error as APIError {
                return Self.response(.error(error))
            } catch {
                return Self.response(.error(.internalError("\(error)")))
            }
        }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: configuration.maxBodyBytes)
        } catch {
            return Self.response(.error(APIError(
                code: 413, reason: .requestEntityTooLarge,
                message: "the request body is larger than \(configuration.maxBodyBytes) bytes")))
        }
        var apiRequest = APIRequest(
            method: request.method.rawValue, path: path,
            query: APIRequest.parseQuery(Substring(request.uri.query ?? "")),
            accept: request.headers[.accept] ?? "application/json",
            contentType: request.headers[.contentType] ?? "application/json",
            userAgent: request.headers[.userAgent] ?? "", body: Array(buffer: body))
        apiRequest.user = user
        let isWatch = apiRequest.flag("watch")
        if isWatch {
            let admitted = openWatches.withLock { count in
                guard count < configuration.maxWatches else { return false }
                count += 1
                return true
            }
            guard admitted else {
                return Self.response(.error(APIError(
                    code: 429, reason: .tooManyRequests, message: "too many open watches; try again later",
                    retryAfterSeconds: 1)))
            }
        }
        var answer = await handler.handleWithWarnings(apiRequest)
        // A watch of a deprecated kind (v1 Endpoints) streams too, its warning in the headers.
        var watchWarnings: [String] = []
        if case .warned(let inner, let warnings) = answer, case .watch = inner { (answer, watchWarnings) = (inner, warnings) }
        guard case .watch(let events, let contentType) = answer else {
            if isWatch { openWatches.withLock { $0 -= 1 } }
            return Self.response(answer, accept: apiRequest.accept)
        }
        // Watches of built-in kinds stream length-prefixed protobuf WatchEvents to clients that prefer them.
        let protobufWatch = contentType == "application/json" && ProtobufCodec.prefersProtobuf(accept: apiRequest.accept)
            && ProtobufCodec.servesProtobuf(path: path)
        var headers = HTTPFields()
        headers[.contentType] = protobufWatch ? ProtobufCodec.watchMediaType : contentType
        headers[.cacheControl] = "no-cache, private"
        for warning in watchWarnings {
            headers.append(HTTPField(name: HTTPField.Name("Warning")!, value: "299 - \"\(warning)\""))
        }
        return Response(status: .ok, headers: headers, body: ResponseBody { [self] writer in
            defer { openWatches.withLock { $0 -= 1 } }
            do {
                // A stopping server ends its watches (clients resume them elsewhere or later):
                // graceful shutdown waits for open requests, and a watch would hold it forever.
                for try await event in events.cancelOnGracefulShutdown() {
                    var bytes: [UInt8]
                    if protobufWatch {
                        bytes = try ProtobufCodec.watchFrame(for: event)
                    } else {
                        bytes = event.jsonBytes()
                        bytes.append(UInt8(ascii: "\n"))
                    }
                    try await writer.write(ByteBuffer(bytes: bytes))
                }
            } catch {
                // The client went away, the server is stopping, or the store failed: end the
                // stream; kubectl re-lists and watches again.
            }
            try? await writer.finish(nil)
        })
    }

    /// The HTTP response of an answer: JSON, or Kubernetes protobuf when the client's `Accept`
    /// prefers it and the object has a protobuf form (built-in objects, lists, `Status`).
    static func response(_ answer: APIResponse, accept: String = "application/json") -> Response {
        switch answer {
        case .json(let status, let body, let contentType):
            var headers = HTTPFields()
            headers[.contentType] = contentType
            if contentType.hasPrefix("application/json"), status < 300, ProtobufCodec.acceptsOnlyProtobuf(accept: accept),
                !ProtobufCodec.prefersProtobuf(accept: accept) || ProtobufCodec.responseBody(for: body, accept: accept) == nil
            {
                return response(.error(APIError(
                    code: 406, reason: .notAcceptable,
                    message: "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf")),
                    accept: accept)
            }
            let bytes: [UInt8]
            if contentType == "application/json", let protobuf = ProtobufCodec.responseBody(for: body, accept: accept) {
                headers[.contentType] = ProtobufCodec.mediaType
                bytes = protobuf
            } else if contentType.hasPrefix("text/plain"), let text = body.stringValue {
                bytes = Array(text.utf8)
            } else {
                bytes = body.jsonBytes()
            }
            return Response(
                status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        case .warned(let answer, let warnings):
            var response = response(answer, accept: accept)
            for warning in warnings {
                // RFC 7234 warn-code 299 ("miscellaneous persistent warning"), agent "-", as kube sends.
                let text = warning.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                response.headers.append(HTTPField(name: HTTPField.Name("Warning")!, value: "299 - \"\(text)\""))
            }
            return response
        case .watch:
            return Response(status: .internalServerError)
        }
    }
}

/// Asks the store to send a BOOKMARK to every watch that wants them, once per interval, as
/// kube-apiserver does about once a minute.
struct BookmarkService: Service {
    let store: SQLiteStore
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                store.emitBookmarks()
            }
        }
    }
}
