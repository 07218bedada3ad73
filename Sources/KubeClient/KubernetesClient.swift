import AsyncHTTPClient
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOSSL
import Resources

/// A client of one Kubernetes API server, for objects of any kind as ``Resources/Resource``s.
///
/// One `HTTPClient` carries every request, with a per-host connection limit high enough for
/// many open watches (each holds an HTTP/1 connection), and a client-side rate limit (QPS and
/// burst) in front of it — or, for the embedded plane's server in the same process, calls to it
/// (``InProcessServer``) with the same requests and answers. Kinds are mapped to REST paths by ``mapper``, from discovery.
///
/// Call ``shutdown()`` when done.
///
/// ```swift
/// let client = try KubernetesClient(kubeconfig: nil)           // KUBECONFIG or ~/.kube/config
/// let configMap = try await client.get(GroupVersionKind(group: "", version: "v1", kind: "ConfigMap"),
///                                      name: "settings", namespace: "shop")
/// try await client.shutdown()
/// ```
public final class KubernetesClient: Sendable {
    /// Tuning for a client.
    public struct Options: Sendable {
        /// Sustained requests per second; `0` or less turns the rate limit off. client-go's default is 5.
        public var qps: Double = 50
        /// Requests allowed at once before pacing starts.
        public var burst: Int = 100
        /// HTTP/1 connections allowed per host; every open watch holds one.
        public var maximumConnectionsPerHost = 64
        public var connectTimeout: Duration = .seconds(5)
        /// How long a request (other than a watch) may take in all.
        public var requestTimeout: Duration = .seconds(60)
        /// How long a connection may stay silent; above a watch's `timeoutSeconds` and the
        /// server's bookmark interval, so that only a dead connection trips it.
        public var readTimeout: Duration = .seconds(11 * 60)
        public var userAgent = "mizzen-kubeclient"
        /// Where request metrics go; `nil` uses the one `MetricsSystem.bootstrap` installed.
        public var metricsFactory: (any MetricsFactory)?
        /// Counts every request by verb and resource (benchmarks, tests); `nil` counts nothing.
        public var requestCounter: RequestCounter?

        public init() {}
    }

    /// The cluster and credentials requests go to.
    public let connection: ClusterConnection
    /// Maps kinds to REST resources.
    public let mapper: RESTMapper
    let transport: Transport

    /// A client for `connection`.
    ///
    /// - Parameter server: the API server of this process that answers the requests instead of
    ///   the network (the embedded plane's); `nil` sends them over HTTP(S) to `connection.server`.
    ///   The connection's token still authenticates them.
    /// - Throws: ``ClientError`` (kind `configuration`) when the certificates or key do not load.
    public init(
        connection: ClusterConnection, options: Options = Options(), logger: Logger = Logger(label: "mizzen.kubeclient"),
        through server: (any InProcessServer)? = nil
    ) throws {
        let limiter = options.qps > 0 ? RateLimiter(qps: options.qps, burst: max(1, options.burst)) : nil
        let metrics = RequestMetrics(factory: options.metricsFactory ?? MetricsSystem.factory)
        let tokens = TokenSource(token: connection.token, file: connection.tokenFile)
        if let server {
            let transport = Transport(
                http: nil, server: server, connection: connection, tokens: tokens, limiter: limiter,
                requestTimeout: options.requestTimeout, userAgent: options.userAgent, logger: logger, metrics: metrics,
                counter: options.requestCounter)
            self.connection = connection
            self.transport = transport
            self.mapper = RESTMapper(transport: transport)
            return
        }
        if let name = connection.tlsServerName, !name.isEmpty {
            // AsyncHTTPClient verifies the certificate against the URL's host and cannot be told otherwise.
            throw ClientError(
                .configuration, message: "tls-server-name \"\(name)\" of \(connection.server) is not supported; put that name in the server URL")
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = connection.certificateAuthorityPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
        } catch {
            throw ClientError(.configuration, message: "certificate-authority of \(connection.server) does not load: \(error)")
        }
        if connection.insecureSkipTLSVerify { tls.certificateVerification = .none }
        // Closing a connection waits this long for the server's close_notify; a server busy
        // streaming a watch may never send one, and the client needs nothing more from it.
        tls.shutdownTimeout = .seconds(1)
        if let certificate = connection.clientCertificatePEM, let key = connection.clientKeyPEM {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
            } catch {
                throw ClientError(.configuration, message: "client-certificate does not load: \(error)")
            }
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            } catch {
                throw ClientError(.configuration, message: "client-key does not load: \(error)")
            }
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            timeout: .init(
                connect: .nanoseconds(options.connectTimeout.nanoseconds),
                read: .nanoseconds(options.readTimeout.nanoseconds)))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = options.maximumConnectionsPerHost
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let transport = Transport(
            http: http, connection: connection, tokens: tokens, limiter: limiter, requestTimeout: options.requestTimeout,
            userAgent: options.userAgent, logger: logger, metrics: metrics, counter: options.requestCounter)
        self.connection = connection
        self.transport = transport
        self.mapper = RESTMapper(transport: transport)
    }

    /// A client for a kubeconfig context, found as kubectl finds it.
    ///
    /// - Parameters:
    ///   - kubeconfig: an explicit file (`--kubeconfig`); `nil` uses `KUBECONFIG` or `~/.kube/config`.
    ///   - context: a context name; `nil` uses `current-context`.
    /// - Throws: ``KubeconfigError`` or ``ClientError``.
    public convenience init(
        kubeconfig: String?, context: String? = nil, options: Options = Options(),
        logger: Logger = Logger(label: "mizzen.kubeclient"), through server: (any InProcessServer)? = nil
    ) throws {
        let connection = try Kubeconfig.load(path: kubeconfig).connection(context: context)
        try self.init(connection: connection, options: options, logger: logger, through: server)
    }

    /// Whether requests go to a server in this process rather than over the network.
    public var isInProcess: Bool { transport.server != nil }

    /// Closes every connection. Call once, when no request is in flight.
    public func shutdown() async throws {
        try await transport.http?.shutdown()
    }

    /// The namespace of the kubeconfig context, used when a namespaced call names none.
    public var defaultNamespace: String { connection.namespace }

    // MARK: Reads

    /// The object `name` of type `kind`.
    ///
    /// - Parameter namespace: ignored for cluster-scoped kinds; ``defaultNamespace`` when `nil`.
    /// - Throws: `APIError` (`NotFound`…), ``ClientError``.
    public func get(_ kind: GroupVersionKind, name: String, namespace: String? = nil) async throws -> Resource {
        let mapping = try await mapper.mapping(for: kind)
        let path = mapping.path(namespace: namespace ?? defaultNamespace, name: name)
        return try Self.resource(try await transport.send(.GET, path), url: path)
    }

    /// The object `name` of `apiVersion` and `kind`.
    public func get(apiVersion: String, kind: String, name: String, namespace: String? = nil) async throws -> Resource {
        try await get(GroupVersionKind(apiVersion: apiVersion, kind: kind), name: name, namespace: namespace)
    }

    /// One page of objects of type `kind`.
    ///
    /// - Parameters:
    ///   - namespace: `nil` lists every namespace.
    ///   - projection: the fields of each object to decode (``FieldProjection``); all when `nil`.
    public func list(_ kind: GroupVersionKind, namespace: String? = nil, options: ListOptions = ListOptions(),
                     projection: FieldProjection? = nil) async throws -> ResourceList
    {
        let mapping = try await mapper.mapping(for: kind)
        let path = mapping.path(namespace: namespace)
        let value: JSONValue
        if let projection {
            let list = FieldProjection.object(["items": .each(projection)], others: true)
            value = try await transport.send(.GET, path, query: options.query) { bytes throws(JSONSyntaxError) in
                try list.parse(bytes)
            }
        } else {
            value = try await transport.send(.GET, path, query: options.query)
        }
        let items: [JSONValue]
        switch value["items"] {
        case .array(let elements): items = elements
        case .null, nil: items = []  // Go writes an empty list as `null`, or leaves it out
        case let other?:
            throw ClientError(
                .invalidResponse, url: transport.url(path, options.query), message: "items is \(other.typeName), not a list")
        }
        var resources: [Resource] = []
        resources.reserveCapacity(items.count)
        for item in items {
            var object = try Self.resource(item, url: path)
            // Items of a list carry no type; give them the list's.
            if object.kind.isEmpty { object.kind = kind.kind }
            if object.apiVersion.isEmpty { object.apiVersion = kind.apiVersion }
            resources.append(object)
        }
        let metadata = value["metadata"]
        return ResourceList(
            items: resources, resourceVersion: metadata?["resourceVersion"]?.stringValue ?? "",
            continueToken: metadata?["continue"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
            remainingItemCount: metadata?["remainingItemCount"]?.intValue.map(Int.init))
    }

    /// Every object of type `kind`, reading page after page of `pageSize`.
    public func listAll(_ kind: GroupVersionKind, namespace: String? = nil, options: ListOptions = ListOptions(),
                        pageSize: Int = 500, projection: FieldProjection? = nil) async throws -> ResourceList
    {
        var options = options
        options.limit = pageSize
        options.continueToken = nil
        var page = try await list(kind, namespace: namespace, options: options, projection: projection)
        var all = page.items
        while let token = page.continueToken {
            options.continueToken = token
            page = try await list(kind, namespace: namespace, options: options, projection: projection)
            all += page.items
        }
        return ResourceList(items: all, resourceVersion: page.resourceVersion, continueToken: nil)
    }

    // MARK: Writes

    /// Creates `object` (its `apiVersion` and `kind` say where).
    ///
    /// - Throws: `APIError` (`AlreadyExists`, `Invalid`…), ``ClientError``.
    public func create(_ object: Resource, options: WriteOptions = WriteOptions()) async throws -> Resource {
        let mapping = try await mapper.mapping(for: object.groupVersionKind)
        let path = mapping.path(namespace: object.namespace ?? defaultNamespace)
        let value = try await transport.send(.POST, path, query: options.query, body: object.value.jsonBytes())
        return try Self.resource(value, url: path)
    }

    /// Replaces `object`; its `resourceVersion`, when set, must be current or the server
    /// answers `Conflict`.
    public func update(_ object: Resource, options: WriteOptions = WriteOptions()) async throws -> Resource {
        try await put(object, subresource: nil, options: options)
    }

    /// Replaces the `status` of `object` through the `status` subresource.
    public func updateStatus(_ object: Resource, options: WriteOptions = WriteOptions()) async throws -> Resource {
        try await put(object, subresource: "status", options: options)
    }

    private func put(_ object: Resource, subresource: String?, options: WriteOptions) async throws -> Resource {
        let mapping = try await mapper.mapping(for: object.groupVersionKind)
        let path = mapping.path(namespace: object.namespace ?? defaultNamespace, name: object.name, subresource: subresource)
        let value = try await transport.send(.PUT, path, query: options.query, body: object.value.jsonBytes())
        return try Self.resource(value, url: path)
    }

    /// Patches the object `name` with `patch` (a merge patch, a JSON patch array, or a strategic
    /// merge patch, as `type` says).
    public func patch(
        _ kind: GroupVersionKind, name: String, namespace: String? = nil, patch: JSONValue, type: PatchType,
        subresource: String? = nil, options: WriteOptions = WriteOptions()
    ) async throws -> Resource {
        let mapping = try await mapper.mapping(for: kind)
        let path = mapping.path(namespace: namespace ?? defaultNamespace, name: name, subresource: subresource)
        let value = try await transport.send(
            .PATCH, path, query: options.query, body: patch.jsonBytes(), contentType: type.contentType)
        return try Self.resource(value, url: path)
    }

    /// Server-side apply: sends `object` as the whole intent of `fieldManager`; the server
    /// merges it with other managers' fields and creates the object when missing.
    ///
    /// - Parameter force: take over fields another manager owns instead of failing with `Conflict`.
    public func apply(
        _ object: Resource, fieldManager: String, force: Bool = false, subresource: String? = nil, dryRun: Bool = false
    ) async throws -> Resource {
        let mapping = try await mapper.mapping(for: object.groupVersionKind)
        let path = mapping.path(namespace: object.namespace ?? defaultNamespace, name: object.name, subresource: subresource)
        var query = [("fieldManager", fieldManager)]
        if force { query.append(("force", "true")) }
        if dryRun { query.append(("dryRun", "All")) }
        // JSON is YAML, so the object goes as JSON under the apply content type.
        let value = try await transport.send(
            .PATCH, path, query: query, body: object.value.jsonBytes(), contentType: PatchType.apply.contentType)
        return try Self.resource(value, url: path)
    }

    /// Deletes the object `name`.
    ///
    /// - Returns: the object when the server still has it (finalizers pending) or returns it;
    ///   `nil` when it answered with a success `Status`.
    @discardableResult
    public func delete(
        _ kind: GroupVersionKind, name: String, namespace: String? = nil, propagationPolicy: PropagationPolicy? = nil,
        dryRun: Bool = false
    ) async throws -> Resource? {
        let mapping = try await mapper.mapping(for: kind)
        let path = mapping.path(namespace: namespace ?? defaultNamespace, name: name)
        var query: [(String, String)] = []
        if let propagationPolicy { query.append(("propagationPolicy", propagationPolicy.rawValue)) }
        if dryRun { query.append(("dryRun", "All")) }
        let value = try await transport.send(.DELETE, path, query: query)
        if value["kind"]?.stringValue == "Status" { return nil }
        return try Self.resource(value, url: path)
    }

    static func resource(_ value: JSONValue, url: String) throws -> Resource {
        guard case .object(let members) = value else {
            throw ClientError(.invalidResponse, url: url, message: "expected an object, found \(value.typeName)")
        }
        return Resource(object: members)
    }
}
