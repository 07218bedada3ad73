import Foundation
@testable import KubeClient
import TestSupport
import Testing

@Suite("Kubeconfig loading")
struct KubeconfigTests {
    /// A fresh directory with the given files written into it.
    static func directory(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kubeconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return directory
    }

    static let first = """
        apiVersion: v1
        kind: Config
        current-context: a
        clusters:
          - name: one
            cluster:
              server: https://one.example:6443/
              certificate-authority: ca.pem
          - name: shared
            cluster: {server: https://first.example}
        users:
          - name: alice
            user:
              tokenFile: token.txt
        contexts:
          - name: a
            context: {cluster: one, user: alice, namespace: shop}
          - name: b
            context: {cluster: shared, user: bob}
        """

    static let second = """
        apiVersion: v1
        kind: Config
        current-context: c
        clusters:
          - name: shared
            cluster: {server: https://second.example, insecure-skip-tls-verify: true}
          - name: two
            cluster:
              server: https://two.example
              certificate-authority-data: \(Data("CA-TWO".utf8).base64EncodedString())
        users:
          - name: bob
            user:
              token: bob-token
              client-certificate-data: \(Data("CERT".utf8).base64EncodedString())
              client-key-data: \(Data("KEY".utf8).base64EncodedString())
        contexts:
          - name: c
            context: {cluster: two, user: bob}
        """

    @Test("the current context resolves files relative to the kubeconfig and reads the token file")
    func currentContext() throws {
        let directory = try Self.directory([
            "config": Self.first, "ca.pem": "PEM-ONE", "token.txt": "secret-token\n",
        ])
        let connection = try Kubeconfig.load(path: directory.appendingPathComponent("config").path).connection()
        #expect(connection.server == "https://one.example:6443")
        #expect(connection.contextName == "a")
        #expect(connection.namespace == "shop")
        #expect(connection.certificateAuthorityPEM == Array("PEM-ONE".utf8))
        #expect(connection.token == "secret-token")
        #expect(connection.tokenFile == directory.appendingPathComponent("token.txt").path)
        #expect(connection.insecureSkipTLSVerify == false)
    }

    @Test("KUBECONFIG merges files and the first one wins per key")
    func kubeconfigList() throws {
        let directory = try Self.directory([
            "first": Self.first, "second": Self.second, "ca.pem": "PEM-ONE", "token.txt": "t",
        ])
        let list = [
            directory.appendingPathComponent("missing").path, directory.appendingPathComponent("first").path,
            directory.appendingPathComponent("second").path,
        ].joined(separator: ":")
        let config = try Kubeconfig.load(path: nil, environment: ["KUBECONFIG": list, "HOME": "/nonexistent"])
        #expect(config.currentContext == "a")
        #expect(config.contextNames == ["a", "b", "c"])

        // Context b uses cluster "shared" (the first file's wins) and user bob (only in the second).
        let b = try config.connection(context: "b")
        #expect(b.server == "https://first.example")
        #expect(b.insecureSkipTLSVerify == false)
        #expect(b.token == "bob-token")
        #expect(b.clientCertificatePEM == Array("CERT".utf8))
        #expect(b.clientKeyPEM == Array("KEY".utf8))
        #expect(b.namespace == "default")

        let c = try config.connection(context: "c")
        #expect(c.server == "https://two.example")
        #expect(c.certificateAuthorityPEM == Array("CA-TWO".utf8))
    }

    @Test("an explicit path wins over KUBECONFIG")
    func explicitPath() throws {
        let directory = try Self.directory(["second": Self.second])
        let path = directory.appendingPathComponent("second").path
        let config = try Kubeconfig.load(path: path, environment: ["KUBECONFIG": "/nonexistent/config"])
        #expect(config.files == [path])
        #expect(try config.connection().server == "https://two.example")
    }

    @Test("~/.kube/config is read when nothing else is given")
    func homeDirectory() throws {
        let home = try Self.directory([:])
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".kube"), withIntermediateDirectories: true)
        try Self.second.write(to: home.appendingPathComponent(".kube/config"), atomically: true, encoding: .utf8)
        let config = try Kubeconfig.load(path: nil, environment: ["HOME": home.path])
        #expect(try config.connection().contextName == "c")
    }

    @Test("a missing context names the file and the contexts there are")
    func missingContext() throws {
        let directory = try Self.directory(["config": Self.first])
        let path = directory.appendingPathComponent("config").path
        let error = try #require(throws: KubeconfigError.self) {
            try Kubeconfig.load(path: path).connection(context: "dev")
        }
        #expect(error.description == "kubeconfig \(path): context \"dev\" not found (contexts: a, b)")
    }

    @Test("missing pieces are named with their file")
    func missingPieces() throws {
        let directory = try Self.directory(["config": Self.first])
        let path = directory.appendingPathComponent("config").path
        let missingFile = try #require(throws: KubeconfigError.self) {
            try Kubeconfig.load(path: directory.appendingPathComponent("nope").path)
        }
        #expect(missingFile.description.contains("nope: no such file"))
        // Context a's CA file was not written.
        let missingCA = try #require(throws: KubeconfigError.self) { try Kubeconfig.load(path: path).connection() }
        #expect(missingCA.description.contains("cluster \"one\": cannot read certificate-authority"))
        // Context b's user lives in another file.
        let missingUser = try #require(throws: KubeconfigError.self) {
            try Kubeconfig.load(path: path).connection(context: "b")
        }
        #expect(missingUser.description == "kubeconfig \(path): user \"bob\" of context \"b\" not found (users: alice)")
    }
}

@Suite("Bearer tokens")
struct TokenSourceTests {
    @Test("a token file is re-read once its refresh interval has passed")
    func rotatedTokenFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try "first\n".write(to: file, atomically: true, encoding: .utf8)
        let rereading = TokenSource(token: "first", file: file.path, refreshInterval: .zero)
        let cached = TokenSource(token: "first", file: file.path, refreshInterval: .seconds(3600))
        #expect(rereading.current() == "first")
        #expect(cached.current() == "first")
        try "second\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(rereading.current() == "second")
        #expect(cached.current() == "first")
        try FileManager.default.removeItem(at: file)
        #expect(rereading.current() == "second", "a failed read keeps the last token")
    }
}

@Suite("Client TLS material")
struct ClientTLSTests {
    @Test("certificates and keys that do not load are named")
    func badMaterial() throws {
        var connection = ClusterConnection(server: "https://127.0.0.1:6443")
        connection.certificateAuthorityPEM = Array("not a certificate".utf8)
        let badCA = try #require(throws: ClientError.self) { try KubernetesClient(connection: connection) }
        #expect(badCA.kind == .configuration)
        #expect(badCA.description.contains("certificate-authority"))

        connection.certificateAuthorityPEM = nil
        connection.tlsServerName = "kubernetes"
        let serverName = try #require(throws: ClientError.self) { try KubernetesClient(connection: connection) }
        #expect(serverName.description.contains("tls-server-name"))
    }
}
