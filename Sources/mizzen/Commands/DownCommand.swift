import ArgumentParser

struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop the embedded control plane of a data directory.",
        discussion: """
            Sends SIGTERM to the `mizzen serve` process of --data-dir (the one `mizzen up` started \
            in the background, or one started by hand) and waits until it has stopped: the \
            controllers first, then the server. The data stays in the directory; `mizzen up` \
            starts the plane again with it. Nothing running is not an error.

            Examples:
              mizzen down
              mizzen down --data-dir /tmp/shop
            """)

    @Option(help: ArgumentHelp("The embedded control plane's data directory.", valueName: "dir"))
    var dataDir = ".mizzen"

    @Option(help: ArgumentHelp("How long to wait for it to stop.", valueName: "duration"))
    var timeout = WaitDuration(seconds: 30)

    func run() async throws {
        let plane = BackgroundPlane(dataDirectory: dataDir)
        if let pid = try await plane.stop(timeout: timeout.duration) {
            StandardError.write("stopped the embedded control plane in \(plane.displayPath) (pid \(pid))")
        } else {
            StandardError.write("no control plane is running in \(plane.displayPath)")
        }
    }
}
