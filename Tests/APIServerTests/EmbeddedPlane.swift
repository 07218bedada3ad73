import APIServer
import Foundation
import Resources
import TestSupport
import Testing

extension EmbeddedPlane {
    /// Runs kubectl against this server and returns what it printed.
    @discardableResult
    func kubectl(_ arguments: [String], stdin: String? = nil) async throws -> Kubectl.Result {
        try await Kubectl.run(
            ["--kubeconfig", endpoint.kubeconfig.path, "--cache-dir", directory.appendingPathComponent("kubectl-cache").path]
                + arguments, stdin: stdin)
    }

    /// kubectl that must succeed.
    @discardableResult
    func kubectlOK(_ arguments: [String], stdin: String? = nil,
                   sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws -> String {
        let result = try await kubectl(arguments, stdin: stdin)
        #expect(result.status == 0, "kubectl \(arguments.joined(separator: " ")) failed: \(result.stderr)",
                sourceLocation: sourceLocation)
        return result.stdout
    }
}
