import APIServer
import ArgumentParser
import Foundation
import Logging
import OAM

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the embedded control plane: a Kubernetes API server over SQLite that kubectl can use.",
        discussion: """
            Serves the Kubernetes REST API (discovery, CRDs, get/list/watch/create/update/patch/ \
            delete, server-side apply, status and scale) from a SQLite store in the data \
            directory. On start it writes DIR/kubeconfig (with the CA and the bearer token every \
            request needs) and prints "kubeconfig: PATH" once it listens. SIGINT or SIGTERM \
            stops it cleanly. Only one server may use a data directory at a time.

            Examples:
              mizzen serve --data-dir .mizzen
              KUBECONFIG=.mizzen/kubeconfig kubectl get namespaces
            """)

    @Option(help: "Where the store, certificates, token and kubeconfig live.")
    var dataDir = ".mizzen"

    @Option(help: "The address to listen on.")
    var address = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free one.")
    var port = 6443

    @Flag(help: "Serve plain HTTP instead of HTTPS (the token still travels in clear: only for tests).")
    var insecureHTTP = false

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func run() async throws {
        var configuration = APIServerConfiguration()
        configuration.address = address
        configuration.port = port
        configuration.insecureHTTP = insecureHTTP
        configuration.seedObjects = OAMCustomResourceDefinitions.all + BuiltinDefinitions.all
        var logger = Logger(label: "mizzen.serve")
        logger.logLevel = .notice
        let directory = URL(fileURLWithPath: dataDir).standardizedFileURL
        let server: APIServer
        do {
            server = try await APIServer.open(dataDirectory: directory, configuration: configuration, logger: logger)
        } catch {
            StandardError.write("error: cannot start the control plane in \(directory.path): \(error)")
            throw ExitCode(1)
        }
        try await server.run { endpoint in
            StandardOutput.writeLine("kubeconfig: \(endpoint.kubeconfig.path)")
            StandardError.write("serving the Kubernetes API at \(endpoint.url)")
        }
    }
}

/// Writes to standard output without buffering, so that a parent process sees lines at once.
enum StandardOutput {
    static func writeLine(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
