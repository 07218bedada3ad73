import Foundation
import Resources
import TestSupport
import Testing

/// Every directory of `examples/` comes up healthy with `mizzen up -f examples/<name> --wait` on a
/// fresh machine (a new embedded plane), as the README promises. The directories are listed when
/// the tests are collected, so a new example is covered without touching this file.
@Suite("every example comes up healthy")
struct ExamplesTests {
    /// The example directories, by name.
    static let examples: [String] = {
        let root = CLI.repository.appendingPathComponent("examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
    }()

    @Test("examples/ is not empty")
    func thereAreExamples() {
        #expect(Self.examples.count >= 3, "\(Self.examples)")
    }

    @Test("mizzen validate -f examples/<name> finds no error", arguments: Self.examples)
    func validates(example: String) async throws {
        let result = try await CLI.run(["validate", "-f", CLI.example(example)])
        #expect(result.status == 0, "mizzen validate -f examples/\(example):\n\(result.stderr)")
        #expect(result.stderr.contains(" 0 errors"), "\(result.stderr)")
    }

    @Test("mizzen up -f examples/<name> --wait ends healthy on a fresh plane", arguments: Self.examples)
    func comesUpHealthy(example: String) async throws {
        try await PlaneSession.with { session in
            let up = try await session.run(["up", "-f", CLI.example(example), "--wait", "--timeout", "90s"])
            #expect(up.status == 0, "mizzen up -f examples/\(example) --wait failed (\(up.status)):\n\(up.stdout)\n\(up.stderr)")
            let apps = up.stdout.split(separator: "\n").compactMap { line -> String? in
                let prefix = "applicationconfiguration.core.oam.dev/"
                guard line.hasPrefix(prefix) else { return nil }
                return line.dropFirst(prefix.count).split(separator: " ").first.map(String.init)
            }
            #expect(!apps.isEmpty, "examples/\(example) applies no ApplicationConfiguration:\n\(up.stdout)")
            for app in apps {
                #expect(up.stdout.contains("\(app)  healthy"), "\(app) is not reported healthy:\n\(up.stdout)")
                // Healthy, and it stays so (a status read right after may see a workload's
                // controller catching up with a last write, on a loaded machine).
                var report: JSONValue = .null
                var text = ""
                let healthy = try await eventually(timeout: .seconds(30)) {
                    let status = try await session.run(["status", app, "-o", "json"])
                    text = status.stdout + status.stderr
                    guard status.status == 0 else { return false }
                    report = try JSONValue(parsingJSON: status.stdout)
                    return report["health"] == "healthy"
                }
                #expect(healthy, "\(app): \(text)")
                #expect(report["lastError"] == .null, "\(app): \(text)")
            }
        }
    }
}
