/// Where a cluster is and how to authenticate to it: one kubeconfig context, resolved.
///
/// Built by ``Kubeconfig/connection(context:)``, or by hand for tests and in-process servers.
public struct ClusterConnection: Sendable, Hashable {
    /// The server's base URL (`https://127.0.0.1:6443`), without a trailing slash.
    public var server: String
    /// The context this came from, if any.
    public var contextName: String?
    /// The namespace of the context (`default` when it names none).
    public var namespace: String = "default"
    /// PEM bytes of the CA bundle that signs the server's certificate; `nil` uses the system roots.
    public var certificateAuthorityPEM: [UInt8]?
    /// Skip verifying the server's certificate (`insecure-skip-tls-verify`).
    public var insecureSkipTLSVerify = false
    /// The name to verify the server certificate against, when not the host of ``server``
    /// (`tls-server-name`). ``KubernetesClient`` refuses a connection that sets it: its HTTP
    /// client always verifies the URL's host.
    public var tlsServerName: String?
    /// A bearer token.
    public var token: String?
    /// A file holding the bearer token (`tokenFile`), re-read every minute because it may be
    /// rotated; ``token`` is its content when the kubeconfig was read.
    public var tokenFile: String?
    /// PEM bytes of a client certificate (chain) and its key.
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?

    public init(server: String) {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
    }
}
