import OrderedCollections
import ArgumentParser
import KubeClient
import Resources

struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the client's version and, when one is reachable, the server's.",
        discussion: """
            The server is the embedded control plane of --data-dir when it runs, or the cluster \
            of --kubeconfig / --context. Not reaching a server is not an error unless a cluster \
            was asked for.

            Examples:
              mizzen version
              mizzen version -o json --kubeconfig ~/.kube/config
            """)

    @OptionGroup var target: TargetOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "json or yaml.")
    var output: DataFormat?

    func run() async throws {
        var document: JSONObject = ["client": ["version": .string(MizzenVersion.current)]]
        var problem: String?
        if target.usesCluster || target.plane.isRunning {
            do {
                let connected = try await target.connect()
                let version = try await connected.use { try await $0.client.serverVersion() }
                var server: JSONObject = [:]
                for key in ["gitVersion", "platform"] { if let value = version[key] { server[key] = value } }
                server["place"] = .string(connected.place)
                document["server"] = .object(server)
            } catch let failure as CommandFailure {
                problem = failure.message
            }
        }
        switch output {
        case let format?: StandardOutput.write(format.text(.object(document)))
        case nil:
            print("Client Version: \(MizzenVersion.current)")
            if let server = document["server"] {
                print("Server Version: \(server["gitVersion"]?.stringValue ?? "?") (\(server["place"]?.stringValue ?? ""))")
            }
        }
        if let problem {
            if target.usesCluster { throw CommandFailure(problem) }
            StandardError.write("note: \(problem)")
        }
    }
}

/// `-o json|yaml` of a command that prints one document.
enum DataFormat: String, ExpressibleByArgument, CaseIterable {
    case json
    case yaml

    /// `value` written in this format, ending with a newline.
    func text(_ value: JSONValue) -> String {
        switch self {
        case .json: value.jsonString(pretty: true) + "\n"
        case .yaml: value.yamlString()
        }
    }
}
