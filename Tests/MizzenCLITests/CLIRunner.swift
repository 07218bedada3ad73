import OrderedCollections
import Foundation
import TestSupport
import Testing

/// The result of running the `mizzen` binary.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the `mizzen` binary built next to the tests.
enum CLI {
    static let binary: URL = {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = here.deletingLastPathComponent()
        // The test bundle may be a directory (…/X.xctest/Contents/MacOS/X) or a file next to the binary.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("mizzen")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return here.deletingLastPathComponent().appendingPathComponent("mizzen")
    }()

    /// The repository root, for the examples.
    static let repository: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }()

    static func example(_ name: String) -> String {
        repository.appendingPathComponent("examples").appendingPathComponent(name).path
    }

    /// Runs `mizzen arguments…` with `stdin` as standard input and waits for it.
    static func run(_ arguments: [String], stdin: String? = nil) async throws -> CLIResult {
        let result = try await ProcessRunner.run(binary, arguments, stdin: stdin, currentDirectory: repository)
        return CLIResult(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    /// Writes `text` to a new temporary file and returns its path.
    static func temporaryFile(_ text: String, name: String = "input.yaml") throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mizzen-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }
}
