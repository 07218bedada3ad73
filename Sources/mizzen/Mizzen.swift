import ArgumentParser
import Foundation
import KubeClient
import Resources

@main
struct Mizzen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mizzen",
        abstract: "An Open Application Model (OAM v1alpha2) runtime.",
        discussion: """
            Mizzen turns Components, ApplicationConfigurations and their definitions into the \
            Kubernetes objects that run an application, on its embedded control plane (the \
            default: no cluster needed) or on any cluster (--kubeconfig).

            Exit codes: 0 ok, 1 error or difference, 2 usage or invalid input, 3 unhealthy, 4 timeout.

            Examples:
              mizzen up -f examples/data-passing --wait
              mizzen status shop
              mizzen get appconfigs
              mizzen down
            """,
        version: MizzenVersion.current,
        subcommands: [
            UpCommand.self, DownCommand.self, StatusCommand.self, GetCommand.self, DescribeCommand.self, CatalogCommand.self,
            DiffCommand.self, DeleteCommand.self, RevisionsCommand.self, RollbackCommand.self,
            WaitCommand.self, EventsCommand.self, GraphCommand.self, InitCommand.self,
            ValidateCommand.self, RenderCommand.self, ServeCommand.self, ControllerCommand.self, InstallCommand.self,
            VersionCommand.self, CompletionCommand.self, BenchCommand.self,
        ]
    )

    /// Runs the command, mapping every failure to the shared exit codes: a usage error exits 2
    /// (not ArgumentParser's 64), a ``CommandFailure`` prints its message and hint, an API error
    /// its message.
    static func main() async {
        MemoryTuning.apply()
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            StandardError.write(failure.description)
            Foundation.exit(failure.status.rawValue)
        } catch let error as APIError {
            StandardError.write("error: \(error.message)")
            Foundation.exit(ExitStatus.failure.rawValue)
        } catch let error as ClientError {
            StandardError.write("error: \(error.description)")
            Foundation.exit(ExitStatus.failure.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code.rawValue == ExitStatus.argumentParserUsage {
                StandardError.write(fullMessage(for: error))
                Foundation.exit(ExitStatus.invalidInput.rawValue)
            }
            exit(withError: error)
        }
    }
}

enum MizzenVersion {
    static let current = "0.1.0"
}
