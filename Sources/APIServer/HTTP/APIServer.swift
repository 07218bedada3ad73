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
    /// Request bodies larger than this are refused with 413 (kube-apiserver's 3 MiB).
    public var maxBodyBytes = 3 * 1024 * 1024
    /// Watches open at once; more are refused with 429.
    public var maxWatches = 1_000
    /// Read-only requests served at once (`--max-requests-inflight`; 0: no limit); more are
    /// refused with 429 and `Retry-After: 1`. Watches and other long-running requests are not counted.
    public var maxRequestsInflight = 400
    /// Mutating requests served at once (`--max-mutating-requests-inflight`; 0: no limit).
    public var maxMutatingRequestsInflight = 200
    /// How long a request that is not long-running may take before the client gets 504
    /// (`--request-timeout`); a shorter `?timeout=` applies when a request asks for it.
    public var requestTimeout: Duration = .seconds(60)
    /// Request body bytes read and decoded at once (`--max-body-bytes-inflight`; 0: no
    /// ceiling): larger floods wait their turn (see ``BodyBudget``).
    public var maxBodyBytesInflight = 32 * 1024 * 1024
    /// Events encoded for a watch but not yet read by its client; a watch whose client falls
    /// further behind is closed, as kube-apiserver closes unresponsive watchers.
    public var maxWatchBufferEvents = 1_000
    /// Bytes of such events (`--max-watch-buffer-bytes`).
    public var maxWatchBufferBytes = 16 * 1024 * 1024
    /// How long a closed slow watch's client has to read what was queued before its connection is dropped.
    public var watchDrainGrace: Duration = .seconds(10)
    /// How much history the store keeps (count and time) and its largest object.
    public var store = SQLiteStore.Configuration()
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
    let limiter: InflightLimiter
    let bodyBudget: BodyBudget
    let watchCuts = WatchCutCounter()

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
        limiter = InflightLimiter(
            maxReadOnly: configuration.maxRequestsInflight, maxMutating: configuration.maxMutatingRequestsInflight)
        bodyBudget = BodyBudget(capacity: configuration.maxBodyBytesInflight)
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
        let store = try SQLiteStore(
            path: dataDirectory.appendingPathComponent("store.sqlite").path, configuration: configuration.store)
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

    /// Authenticates a request, applies the server's limits (in flight, deadline, body size and
    /// memory) and answers it.
    func respond(to request: Request) async -> Response {
        let path = request.uri.path
        let query = APIRequest.parseQuery(Substring(request.uri.query ?? ""))
        var user = UserInfo.admin
        if !Self.publicPaths.contains(path) {
            do {
                user = try await handler.requestUser(
                    headers: request.headers.map { (name: $0.name.canonicalName, value: $0.value) },
                    request: AuthorizationAttributes(method: request.method.rawValue, path: path, query: query))
            } catch let error as APIError {
                return Self.response(.error(error))
            } catch {
                return Self.response(.error(.internalError("\(error)")))
            }
        }
        let requestClass = RequestClass(method: request.method.rawValue, path: path, query: query)
        let slot = limiter.admit(requestClass)
        // As kube's max-in-flight filter: system:masters always get an answer.
        if slot == nil, !user.isMaster {
            limiter.recordRefusal()
            return Self.tooManyRequests()
        }
        if requestClass == .longRunning {
            return await serve(request, path: path, query: query, user: user)
        }
        let timeout: Duration
        do {
            timeout = try RequestDeadline.timeout(query: query, maximum: configuration.requestTimeout)
        } catch {
            if let slot { limiter.release(slot) }
            return Self.response(.error(error))
        }
        let work: @Sendable () async -> Response = { [self, user] in
            // The slot is held until the work ends, even past the deadline, as kube holds it.
            defer { if let slot { limiter.release(slot) } }
            return await serve(request, path: path, query: query, user: user)
        }
        guard timeout > .zero else { return await work() }
        return await RequestDeadline.race(timeout: timeout, work) ?? Self.gatewayTimeout()
    }

    /// Reads the body (within the size limit and the memory budget) and answers the request.
    private func serve(_ request: Request, path: String, query: [String: String], user: UserInfo) async -> Response {
        var request = request
        let declaredLength = request.headers[.contentLength].flatMap(Int.init)
        let tooLarge = APIError(
            code: 413, reason: .requestEntityTooLarge,
            message: "Request entity too large: limit is \(configuration.maxBodyBytes)")
        if let declaredLength, declaredLength > configuration.maxBodyBytes { return Self.response(.error(tooLarge)) }
        let hasBody = declaredLength.map { $0 > 0 } ?? (request.headers[.transferEncoding] != nil)
        let reserved: Int
        do {
            reserved = hasBody ? try await bodyBudget.reserve(declaredLength ?? configuration.maxBodyBytes) : 0
        } catch {
            return Self.gatewayTimeout()
        }
        defer { bodyBudget.release(reserved) }
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: configuration.maxBodyBytes)
        } catch {
            return Self.response(.error(tooLarge))
        }
        var apiRequest = APIRequest(
            method: request.method.rawValue, path: path, query: query,
            accept: request.headers[.accept] ?? "application/json",
            contentType: request.headers[.contentType] ?? "application/json",
            userAgent: request.headers[.userAgent] ?? "", body: Array(buffer: body))
        apiRequest.user = user
        // Lists go out with their items as stored (``APIResponse/encodedList``), written as they are.
        apiRequest.takesEncodedItems = true
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
            try await stream(events, protobuf: protobufWatch, path: path, to: writer)
        })
    }

    /// Writes a watch's events to its client through a bounded backlog: a client that falls
    /// more than the backlog behind has its watch closed (it watches again from the last
    /// resourceVersion it read); one that still reads nothing ``APIServerConfiguration/watchDrainGrace``
    /// later loses its connection.
    private func stream(
        _ events: AsyncThrowingStream<JSONValue, any Error>, protobuf: Bool, path: String, to writer: any ResponseBodyWriter
    ) async throws {
        let backlog = SharedWatchBacklog(WatchBacklog(
            maxEvents: configuration.maxWatchBufferEvents, maxBytes: configuration.maxWatchBufferBytes))
        let (frames, sink) = AsyncStream<[UInt8]>.makeStream()
        let writerBox = WatchResponseWriter(writer)
        let (cuts, logger, grace) = (watchCuts, logger, configuration.watchDrainGrace)
        enum Outcome { case written, produced, abandoned }
        let outcome = await withTaskGroup(of: Outcome.self) { group in
            group.addTask {
                do {
                    // A stopping server ends its watches (clients resume them elsewhere or later):
                    // graceful shutdown waits for open requests, and a watch would hold it forever.
                    for try await event in events.cancelOnGracefulShutdown() {
                        var bytes: [UInt8]
                        if protobuf {
                            bytes = try ProtobufCodec.watchFrame(for: event)
                        } else {
                            bytes = event.jsonBytes()
                            bytes.append(UInt8(ascii: "\n"))
                        }
                        guard backlog.state.withLock({ $0.offer(bytes.count) }) else {
                            cuts.increment()
                            logger.notice(
                                "closing a watch whose client does not keep up",
                                metadata: ["path": "\(path)", "queued": "\(backlog.state.withLock { $0.events })"])
                            break
                        }
                        sink.yield(bytes)
                    }
                } catch {
                    // The store failed or the server is stopping: end the stream; clients watch again.
                }
                sink.finish()
                // The client has the grace period to read what is queued; then it is dropped.
                do {
                    try await Task.sleep(for: grace)
                } catch {
                    return .produced
                }
                return .abandoned
            }
            group.addTask {
                var writer = writerBox.writer
                do {
                    for await frame in frames {
                        try await writer.write(ByteBuffer(bytes: frame))
                        backlog.state.withLock { $0.take(frame.count) }
                    }
                    try await writer.finish(nil)
                } catch {
                    // The client went away.
                }
                return .written
            }
            var outcome = Outcome.produced
            while let next = await group.next() {
                outcome = next
                if next != .produced { break }
            }
            group.cancelAll()
            return outcome
        }
        if outcome == .abandoned {
            throw CancellationError()
        }
    }

    /// kube's 429 from its max-in-flight filter: plain text, `Retry-After: 1`.
    static func tooManyRequests() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.retryAfter] = "1"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(
            status: .tooManyRequests, headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: "Too many requests, please try again later.\n")))
    }

    /// kube's 504 from its timeout filter.
    static func gatewayTimeout() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(
            status: .gatewayTimeout, headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: RequestDeadline.timeoutBody)))
    }

    /// Requests refused for the in-flight limits, watches closed for slow clients, and the most
    /// body bytes read at once, since the server started (for benchmarks and tests).
    public var limitFigures: (refused: Int, watchesCut: Int, peakBodyBytes: Int) {
        (limiter.figures.refused, watchCuts.value, bodyBudget.figures.peak)
    }

    /// The HTTP response of an answer: JSON, or Kubernetes protobuf when the client's `Accept`
    /// prefers it and the object has a protobuf form (built-in objects, lists, `Status`).
    static func response(_ answer: APIResponse, accept: String = "application/json") -> Response {
        switch answer {
        case .json(let status, let body, let contentType):
            var headers = HTTPFields()
            headers[.contentType] = contentType
            // As kube's error writer: a Status that says when to retry says it in `Retry-After` too.
            if status >= 300, let seconds = body["details"]?["retryAfterSeconds"]?.intValue, seconds > 0 {
                headers[.retryAfter] = String(seconds)
            }
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
        case .encodedList(let envelope, let items):
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: APIResponse.listBytes(envelope: envelope, items: items))))
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
