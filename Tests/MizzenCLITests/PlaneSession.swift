import Foundation
import TestSupport
import Testing

/// An embedded control plane started in the background by `mizzen up` in a temporary data
/// directory, for tests of the daily-use verbs. Stop it with ``down()``.
struct PlaneSession {
    let directory: URL

    init() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-plane-\(UUID().uuidString)")
    }

    var dataDir: String { directory.path }

    /// `mizzen ARGUMENTS… --data-dir DIR`.
    func run(_ arguments: [String], stdin: String? = nil) async throws -> CLIResult {
        try await CLI.run(arguments + ["--data-dir", dataDir], stdin: stdin)
    }

    /// `mizzen up -f PATH… --wait`, which starts the plane; the result must be success.
    @discardableResult
    func up(_ paths: [String], wait: Bool = true, extra: [String] = []) async throws -> CLIResult {
        let result = try await run(["up"] + paths.flatMap { ["-f", $0] } + (wait ? ["--wait", "--timeout", "60s"] : []) + extra)
        #expect(result.status == 0, "mizzen up failed (\(result.status)): \(result.stderr)")
        return result
    }

    /// Stops the plane and removes the directory.
    func down() async {
        _ = try? await CLI.run(["down", "--data-dir", dataDir])
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` with a session whose plane is stopped afterwards, whatever happens.
    static func with<T>(_ body: (PlaneSession) async throws -> T) async throws -> T {
        let session = PlaneSession()
        do {
            let result = try await body(session)
            await session.down()
            return result
        } catch {
            await session.down()
            throw error
        }
    }
}
