import Foundation

/// The kubectl binary of these machines.
public enum Kubectl {
    public typealias Result = ProcessResult

    public static let path = "/usr/bin/kubectl"
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Runs kubectl (ignoring any KUBECONFIG of the environment), killing it after `timeout`.
    public static func run(_ arguments: [String], stdin: String? = nil, timeout: TimeInterval = 60) async throws -> Result {
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = nil
        return try await ProcessRunner.run(
            URL(fileURLWithPath: path), arguments, stdin: stdin, environment: environment, timeout: timeout)
    }
}
