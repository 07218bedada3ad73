import OrderedCollections
import ArgumentParser
import Resources

/// The files a command reads.
struct InputOptions: ParsableArguments {
    @Option(
        name: [.customShort("f"), .customLong("filename")],
        help: ArgumentHelp(
            "A YAML or JSON file, a directory (its .yaml, .yml and .json files, recursively), or - for standard input. Repeatable.",
            valueName: "path"))
    var paths: [String] = []

    /// Every document of the inputs; a file that cannot be read or parsed ends the command with
    /// status 2 after saying which and where.
    func documents() throws -> [Document] {
        do {
            return try InputReader.read(paths)
        } catch {
            StandardError.write("error: \(error.description)")
            throw ExitStatus.invalidInput
        }
    }

    func validate() throws {
        if paths.isEmpty {
            throw ValidationError("no input: give at least one -f PATH (a file, a directory, or - for stdin)")
        }
    }
}

/// The output format of a command.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case yaml
    case json
}
