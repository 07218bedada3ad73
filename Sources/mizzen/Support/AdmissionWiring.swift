import APIServer
import ArgumentParser
import OAMControllers
import ControllerRuntime
import KubeClient
import Logging
import OAM
import Resources
import ServiceLifecycle
import Synchronization

/// The OAM admission is the embedded plane's in-process admission step: Controllers cannot see
/// the `APIServer` protocol, so the conformance lives here, in the executable that has both.
extension OAMAdmission: AdmissionController {
    public func admit(_ object: Resource, old: Resource?, operation: AdmissionOperation, type: ResourceType)
        async throws -> Resource
    {
        guard type.group == OAM.group else { return object }
        let (admitted, warnings) = try await admitWithWarnings(
            object, old: old, operation: operation.rawValue, resource: type.resource)
        for warning in warnings { warn(warning) }
        return admitted
    }
}

/// Lets in-process admission read what the embedded server stores, through the server's own
/// API handler (no HTTP, no token). The server is opened with the admission step, so the
/// handler is attached once the server exists; until then the lookups find nothing.
///
/// ```swift
/// let source = EmbeddedAdmissionSource()
/// let server = try await APIServer.open(dataDirectory: dir, configuration: configuration,
///                                       admission: [source.admission(logger: logger)])
/// source.attach(server)
/// ```
final class EmbeddedAdmissionSource: Sendable {
    private let handler = Mutex<APIHandler?>(nil)
    private let kinds = KindMapper()

    /// Reads through `server` from now on.
    func attach(_ server: APIServer) {
        handler.withLock { $0 = server.handler }
    }

    /// The OAM admission reading through this source.
    func admission(logger: Logger) -> OAMAdmission {
        OAMAdmission(lookup: { [self] kind, namespace, name in try await read(kind, namespace: namespace, name: name) },
                     logger: logger)
    }

    /// The object `name` of `kind` (none when missing), or with `name` `nil` every object of
    /// `kind` in `namespace` (every namespace when `nil`).
    func read(_ kind: GroupVersionKind, namespace: String?, name: String?) async throws -> [Resource] {
        guard let handler = handler.withLock({ $0 }) else { return [] }
        let plural = kinds.plural(group: kind.group, kind: kind.kind)
        let prefix = kind.group.isEmpty ? "/api/\(kind.version)" : "/apis/\(kind.group)/\(kind.version)"
        var path = namespace.map { "\(prefix)/namespaces/\($0)/\(plural)" } ?? "\(prefix)/\(plural)"
        if let name { path += "/\(name)" }
        guard case .json(let status, let body, _) = await handler.handle(APIRequest(method: "GET", path: path)) else {
            throw APIError.internalError("reading \(path) answered a stream")
        }
        guard status == 200 else {
            throw APIError(status: body) ?? APIError.internalError("reading \(path) answered \(status)")
        }
        let items = name == nil ? body["items"]?.arrayValue ?? [] : [body]
        return items.compactMap { item in
            guard case .object(let members) = item else { return nil }
            var object = Resource(object: members)
            if object.kind.isEmpty { object.kind = kind.kind }
            if object.apiVersion.isEmpty { object.apiVersion = kind.apiVersion }
            return object
        }
    }
}

/// `mizzen controller` options that serve the admission webhooks and register them.
///
/// ```sh
/// mizzen controller --webhook-port 9443 --webhook-service oam-system/mizzen-webhook
/// mizzen controller --webhook-port 9443 --webhook-url https://10.0.0.5:9443
/// ```
struct WebhookOptions: ParsableArguments {
    @Option(help: "Serve the admission webhooks over HTTPS on this port and register them with the cluster.")
    var webhookPort: Int?

    @Option(help: "The base URL the API server calls the webhooks at (https://HOST:PORT).")
    var webhookURL: String?

    @Option(help: "The Service the API server calls the webhooks through, as NAMESPACE/NAME.")
    var webhookService: String?

    @Option(help: "The port of --webhook-service.")
    var webhookServicePort = 443

    @Option(help: "The address the webhook server listens on.")
    var webhookAddress = "0.0.0.0"

    func validate() throws {
        guard let webhookPort else {
            guard webhookURL == nil, webhookService == nil else {
                throw ValidationError("--webhook-url and --webhook-service need --webhook-port")
            }
            return
        }
        guard (0...65_535).contains(webhookPort) else { throw ValidationError("--webhook-port must be between 0 and 65535") }
        guard (webhookURL == nil) != (webhookService == nil) else {
            throw ValidationError("--webhook-port needs exactly one of --webhook-url and --webhook-service")
        }
        if let webhookURL, !webhookURL.hasPrefix("https://") {
            throw ValidationError("--webhook-url must start with https://")
        }
        if let webhookService, webhookService.split(separator: "/").count != 2 {
            throw ValidationError("--webhook-service must be NAMESPACE/NAME")
        }
    }

    /// Where the API server reaches the webhooks, and the names the certificate must cover.
    var target: (target: WebhookRegistration.Target, hosts: [String])? {
        if let webhookURL {
            let authority = webhookURL.dropFirst("https://".count).split(separator: "/").first.map(String.init) ?? ""
            let host = authority.hasPrefix("[") ? authority : String(authority.split(separator: ":").first ?? "")
            return (.url(webhookURL), [host])
        }
        if let webhookService {
            let parts = webhookService.split(separator: "/").map(String.init)
            let (namespace, name) = (parts[0], parts[1])
            return (.service(namespace: namespace, name: name, port: webhookServicePort),
                    ["\(name).\(namespace).svc", "\(name).\(namespace).svc.cluster.local"])
        }
        return nil
    }

    /// The webhook service, or `nil` when `--webhook-port` is not given. With a `namespace`
    /// (`mizzen controller --namespace`), the webhooks are registered for that namespace only,
    /// under a name of their own.
    func service(client: KubernetesClient, namespace: String? = nil, logger: Logger) throws -> WebhookService? {
        guard let webhookPort, let resolved = target else { return nil }
        let server = try WebhookServer(
            admission: OAMAdmission(client: client, logger: logger),
            configuration: .init(address: webhookAddress, port: webhookPort, hosts: resolved.hosts), logger: logger)
        let everywhere = WebhookRegistration(
            target: resolved.target, caBundlePEM: server.certificates.caCertificatePEM)
        let registration = namespace.map { everywhere.scoped(to: $0) } ?? everywhere
        return WebhookService(server: server, registration: registration, client: client, logger: logger)
    }
}

/// Serves the webhooks and, once listening, registers them (so the API server never calls a
/// server that is not up yet with the new CA).
struct WebhookService: Service {
    let server: WebhookServer
    let registration: WebhookRegistration
    let client: KubernetesClient
    let logger: Logger

    func run() async throws {
        let (ready, announce) = AsyncStream<Int>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [server] in
                defer { announce.finish() }  // a server that fails to start must not leave us waiting
                try await cancelWhenGracefulShutdown {
                    try await server.run { port in
                        announce.yield(port)
                        announce.finish()
                    }
                }
            }
            var iterator = ready.makeAsyncIterator()
            if let port = await iterator.next() {
                // A failed registration stops the process: with failurePolicy Fail and a stale
                // caBundle, every Component write would fail instead.
                try await registration.apply(with: client)
                logger.notice("webhooks.registered", metadata: ["port": "\(port)", "name": "\(registration.name)"])
            }
            try await group.next()
        }
    }
}
