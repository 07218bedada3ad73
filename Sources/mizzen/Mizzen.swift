import OrderedCollections
import ArgumentParser

@main
struct Mizzen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mizzen",
        abstract: "An Open Application Model (OAM v1alpha2) runtime.",
        discussion: """
            Mizzen turns Components, ApplicationConfigurations and their definitions into the \
            Kubernetes objects that run an application.

            Examples:
              mizzen validate -f examples/
              mizzen render -f examples/data-passing/
            """,
        version: MizzenVersion.current,
        subcommands: [
            ValidateCommand.self, RenderCommand.self, ServeCommand.self, ControllerCommand.self, InstallCommand.self,
            BenchCommand.self,
        ]
    )
}

enum MizzenVersion {
    static let current = "0.1.0"
}
