import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// The HTTP endpoints a kubelet and Prometheus poll: `/healthz` (the process answers),
/// `/readyz` (the caches have synced: 200, else 503) and `/metrics` (the Prometheus text
/// exposition of a registry). A `Service` for the process's `ServiceGroup`.
///
/// ```swift
/// let probes = try ProbeServer(address: "0.0.0.0:8080", metrics: metrics, logger: logger) { manager.isReady }
/// let group = ServiceGroup(services: [events, manager, probes], gracefulShutdownSignals: [.sigterm], logger: logger)
/// ```
public struct ProbeServer: Service {
    /// Where the server listens.
    public struct Address: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        /// `0` lets the system choose.
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Reads `host:port`, `[v6-address]:port` or `:port` (every interface).
        ///
        /// - Throws: ``ProbeServer/AddressError`` when it is none of these.
        public init(parsing text: String) throws {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (0...65_535).contains(port)
            else { throw AddressError(address: text) }
            var host = String(text[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            if host.isEmpty { host = "0.0.0.0" }
            if host.contains(":") && !text.hasPrefix("[") { throw AddressError(address: text) }
            self.init(host: host, port: port)
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// An address that is not `host:port`.
    public struct AddressError: Error, Sendable, CustomStringConvertible {
        public var address: String
        public var description: String {
            "probe address \"\(address)\" is not host:port (for example 127.0.0.1:8080, [::1]:8080 or :8080)"
        }
    }

    public let address: Address
    let registry: PrometheusCollectorRegistry?
    let readiness: @Sendable () async -> Bool
    let onListening: @Sendable (Address) async -> Void
    let logger: Logger

    /// - Parameters:
    ///   - address: `host:port`; port `0` picks a free one, which `onListening` reports.
    ///   - metrics: served on `/metrics`; without it `/metrics` answers 404.
    ///   - onListening: called once the server listens, with the port it got.
    ///   - readiness: whether the process is ready (for a manager, `manager.isReady`).
    /// - Throws: ``AddressError``.
    public init(
        address: String, metrics: PrometheusMetrics?, logger: Logger = Logger(label: "mizzen.probes"),
        onListening: @escaping @Sendable (Address) async -> Void = { _ in },
        readiness: @escaping @Sendable () async -> Bool
    ) throws {
        self.address = try Address(parsing: address)
        self.registry = metrics?.registry
        self.readiness = readiness
        self.onListening = onListening
        self.logger = logger
    }

    /// Serves until cancelled or a graceful shutdown.
    public func run() async throws {
        let router = Router(context: BasicRequestContext.self)
        router.get("healthz") { _, _ in Self.text(.ok, "ok\n") }
        router.get("livez") { _, _ in Self.text(.ok, "ok\n") }
        router.get("readyz") { [readiness] _, _ in
            await readiness() ? Self.text(.ok, "ok\n") : Self.text(.serviceUnavailable, "caches not synced\n")
        }
        if let registry {
            router.get("metrics") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
            }
        }
        let requested = address
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(requested.host, port: requested.port)),
            onServerRunning: { [logger, onListening] channel in
                let bound = Address(host: requested.host, port: channel.localAddress?.port ?? requested.port)
                logger.info("probes.listening", metadata: ["address": "\(bound)"])
                await onListening(bound)
            },
            logger: logger)
        try await app.run()
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
