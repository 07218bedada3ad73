import Foundation
import Resources
import TestSupport
import Testing

/// `mizzen up`, `status`, `version` and `down` against a background embedded plane, as a new
/// user would run them: the README's main job, the exit codes, every error path.
@Suite("up, status, version and down", .serialized)
struct UpStatusTests {
    @Test("up --wait of the data-passing example: applied, followed to healthy, the data edge resolved; status shows it")
    func mainJob() async throws {
        try await PlaneSession.with { session in
            let up = try await session.up([CLI.example("data-passing")])
            #expect(up.stderr.contains("started the embedded control plane in"), "\(up.stderr)")
            for line in [
                // deployments.apps is built in (seeded): the example's own copy reconfigures it.
                "workloaddefinition.core.oam.dev/deployments.apps configured", "secret/shop-db-connection created",
                "component.core.oam.dev/database created", "component.core.oam.dev/web created",
                "applicationconfiguration.core.oam.dev/shop created",
            ] {
                #expect(up.stdout.contains(line), "missing \(line) in \(up.stdout)")
            }
            #expect(up.stdout.contains("shop/web  healthy  Deployment/web 2/2 available"), "\(up.stdout)")
            #expect(up.stdout.contains("shop  healthy  2 components, 1 data edge resolved"), "\(up.stdout)")
            #expect(up.stdout.contains("db-connection-secret: Deployment/database"), "\(up.stdout)")
            #expect(up.stdout.contains("passed \"shop-db-connection\""), "\(up.stdout)")

            // The plane is reused, and applying again changes nothing.
            let again = try await session.up([CLI.example("data-passing")])
            #expect(!again.stderr.contains("started"), "\(again.stderr)")
            #expect(again.stdout.contains("component.core.oam.dev/web unchanged"), "\(again.stdout)")

            let json = try await session.run(["status", "shop", "-o", "json"])
            #expect(json.status == 0, "\(json.stderr)")
            let report = try JSONValue(parsingJSON: json.stdout)
            #expect(report["health"] == "healthy")
            #expect(report["components"]?.arrayValue?.map { $0["name"]?.stringValue ?? "" } == ["database", "web"])
            #expect(report["components"]?[1]?["revision"] == "web-v1")
            #expect(report["components"]?[1]?["workload"]?["detail"] == "2/2 available")
            let edge = try #require(report["dataEdges"]?[0])
            #expect(edge["ready"] == true)
            #expect(edge["value"] == "shop-db-connection")
            #expect(edge["conditions"]?[0] == "status.readyReplicas eq 1")
            #expect(report["lastError"] == .null)

            let tree = try await session.run(["status", "shop"])
            #expect(tree.status == 0)
            try Golden.check(tree.stdout, against: "status-shop.txt")

            let yaml = try await session.run(["status", "shop", "-o", "yaml"])
            #expect(yaml.stdout.contains("health: healthy"), "\(yaml.stdout)")

            let version = try await session.run(["version", "-o", "json"])
            let versions = try JSONValue(parsingJSON: version.stdout)
            #expect(versions["client"]?["version"]?.stringValue?.isEmpty == false)
            #expect(versions["server"]?["gitVersion"]?.stringValue?.contains("mizzen") == true, "\(version.stdout)")

            let missing = try await session.run(["status", "nothing"])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("ApplicationConfiguration nothing not found in namespace default"), "\(missing.stderr)")

            // The same plane, named as a cluster through its kubeconfig.
            let kubeconfig = session.directory.appendingPathComponent("kubeconfig").path
            let asCluster = try await CLI.run(["status", "shop", "--kubeconfig", kubeconfig, "-o", "json"])
            #expect(asCluster.status == 0, "\(asCluster.stderr)")
            #expect(try JSONValue(parsingJSON: asCluster.stdout)["health"] == "healthy")

            let down = try await CLI.run(["down", "--data-dir", session.dataDir])
            #expect(down.status == 0)
            #expect(down.stderr.contains("stopped the embedded control plane"), "\(down.stderr)")
            let after = try await session.run(["status", "shop"])
            #expect(after.status == 1)
            #expect(after.stderr.contains("no control plane is running in"), "\(after.stderr)")
            #expect(after.stderr.contains("mizzen up"), "\(after.stderr)")
            let downAgain = try await CLI.run(["down", "--data-dir", session.dataDir])
            #expect(downAgain.status == 0)
            #expect(downAgain.stderr.contains("no control plane is running"), "\(downAgain.stderr)")
        }
    }

    @Test("up --wait ends with 4 when a data output never becomes ready, and 3 when the app is failing")
    func timeoutAndUnhealthy() async throws {
        try await PlaneSession.with { session in
            let directory = try Self.copyExample("data-passing")
            let appConfig = directory.appendingPathComponent("appconfig.yaml")
            let text = try String(contentsOf: appConfig, encoding: .utf8)
            try text.replacingOccurrences(of: "value: \"1\"", with: "value: \"5\"")
                .write(to: appConfig, atomically: true, encoding: .utf8)
            let waiting = try await session.run(["up", "-f", directory.path, "--wait", "--timeout", "3s"])
            #expect(waiting.status == 4, "\(waiting.stdout)\n\(waiting.stderr)")
            #expect(waiting.stdout.contains("shop/web  waiting  on dataOutput db-connection-secret of Deployment/database (status.readyReplicas eq 5)"), "\(waiting.stdout)")
            #expect(waiting.stderr.contains("timed out after"), "\(waiting.stderr)")
            let status = try await session.run(["status", "shop"])
            #expect(status.status == 3)
            #expect(status.stdout.contains("waiting for status.readyReplicas eq 5"), "\(status.stdout)")

            // A second AppConfig claiming shop's database workload is refused by the controller.
            let claim = try CLI.temporaryFile("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata:
                  name: copycat
                spec:
                  components:
                    - componentName: database
                """)
            let failing = try await session.run(["up", "-f", claim, "--wait", "--timeout", "3s"])
            #expect(failing.status == 3, "\(failing.stdout)\n\(failing.stderr)")
            #expect(failing.stderr.contains("copycat is unhealthy"), "\(failing.stderr)")
            let report = try JSONValue(parsingJSON: try await session.run(["status", "copycat", "-o", "json"]).stdout)
            #expect(report["health"] == "unhealthy")
            #expect(report["lastError"]?.stringValue?.contains("database") == true, "\(report)")
        }
    }

    @Test("up twice with a HealthScope: the second apply leaves the workloads the controller added to the scope")
    func scopeAppliedTwice() async throws {
        try await PlaneSession.with { session in
            try await session.up([CLI.example("containerized-workload")])
            let again = try await session.up([CLI.example("containerized-workload")])
            #expect(again.stdout.contains("healthscope.core.oam.dev/example-health-scope unchanged"), "\(again.stdout)")
            let scope = try await session.run(["get", "healthscope", "example-health-scope", "-o", "json"])
            let refs = try JSONValue(parsingJSON: scope.stdout)["spec"]?["workloadRefs"]?.arrayValue ?? []
            #expect(refs.map { $0["name"]?.stringValue ?? "" } == ["example-appconfig-workload"], "\(scope.stdout)")
            let diff = try await session.run(["diff", "-f", CLI.example("containerized-workload")])
            #expect(diff.status == 0, "\(diff.stdout)\n\(diff.stderr)")
        }
    }

    @Test("up -n NAMESPACE creates the namespace when it does not exist, and the app runs there")
    func upIntoANewNamespace() async throws {
        try await PlaneSession.with { session in
            let up = try await session.up([CLI.example("data-passing")], extra: ["-n", "team-a"])
            #expect(up.stdout.hasPrefix("namespace/team-a created\n"), "\(up.stdout)")
            let status = try await session.run(["status", "shop", "-n", "team-a", "-o", "json"])
            #expect(status.status == 0, "\(status.stderr)")
            #expect(try JSONValue(parsingJSON: status.stdout)["namespace"] == "team-a")
            let elsewhere = try await session.run(["status", "shop"])
            #expect(elsewhere.status == 1)
        }
    }

    @Test("status --watch -o json streams one JSON document per line at each change")
    func watchStreamsNDJSON() async throws {
        try await PlaneSession.with { session in
            try await session.up([CLI.example("data-passing")])
            let watcher = Process()
            watcher.executableURL = CLI.binary
            watcher.arguments = ["status", "shop", "--watch", "-o", "json", "--data-dir", session.dataDir]
            let output = Pipe()
            watcher.standardOutput = output
            watcher.standardError = FileHandle.nullDevice
            try watcher.run()
            defer {
                watcher.stop()
            }
            let lines = LineReader(output.fileHandleForReading)
            let first = try JSONValue(parsingJSON: try #require(await lines.next()))
            #expect(first["components"]?[1]?["workload"]?["detail"] == "2/2 available")

            // Scale the web workload through its component: a new revision, then 3 replicas.
            let web = try String(contentsOfFile: CLI.example("data-passing") + "/web.yaml", encoding: .utf8)
            let edited = try CLI.temporaryFile(web.replacingOccurrences(of: "replicas: 2", with: "replicas: 3"), name: "web.yaml")
            try await session.up([edited], wait: false)
            var seen: [JSONValue] = []
            while let line = await lines.next() {
                let document = try JSONValue(parsingJSON: line)
                seen.append(document)
                if document["components"]?[1]?["workload"]?["detail"] == "3/3 available" { break }
            }
            #expect(seen.last?["components"]?[1]?["workload"]?["detail"] == "3/3 available", "\(seen)")
            #expect(seen.contains { $0["components"]?[1]?["revision"] == "web-v2" })
        }
    }

    @Test("bad input: a missing file, invalid YAML, an unknown component, a wrong kubeconfig, a wrong flag — one clear message and exit 2")
    func badInput() async throws {
        try await PlaneSession.with { session in
            let missing = try await session.run(["up", "-f", "/nonexistent/app.yaml"])
            #expect(missing.status == 2)
            #expect(missing.stderr.contains("/nonexistent/app.yaml: no such file or directory"), "\(missing.stderr)")
            #expect(!FileManager.default.fileExists(atPath: session.directory.appendingPathComponent("serve.pid").path),
                    "a plane was started for input that cannot be read")

            let invalid = try CLI.temporaryFile("apiVersion: v1\nkind: [\n", name: "broken.yaml")
            let yaml = try await session.run(["up", "-f", invalid])
            #expect(yaml.status == 2)
            #expect(yaml.stderr.contains("broken.yaml:3:1"), "\(yaml.stderr)")

            let unknown = try CLI.temporaryFile("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata:
                  name: lost
                spec:
                  components:
                    - componentName: nothere
                """, name: "lost.yaml")
            let lost = try await session.run(["up", "-f", unknown])
            #expect(lost.status == 2)
            #expect(lost.stderr.contains("lost.yaml:7:"), "\(lost.stderr)")
            #expect(lost.stderr.contains("component \"nothere\" not found"), "\(lost.stderr)")
            #expect(lost.stderr.contains("nothing was applied"), "\(lost.stderr)")

            let kubeconfig = try await CLI.run(["status", "shop", "--kubeconfig", "/nonexistent/kubeconfig"])
            #expect(kubeconfig.status == 2)
            #expect(kubeconfig.stderr.contains("/nonexistent/kubeconfig"), "\(kubeconfig.stderr)")

            let nowhere = try CLI.temporaryFile("""
                apiVersion: v1
                kind: Config
                clusters: [{name: nowhere, cluster: {server: "https://127.0.0.1:1"}}]
                users: [{name: someone, user: {token: abc}}]
                contexts: [{name: nowhere, context: {cluster: nowhere, user: someone}}]
                current-context: nowhere
                """, name: "kubeconfig")
            let unreachable = try await CLI.run(["up", "-f", CLI.example("data-passing"), "--kubeconfig", nowhere])
            #expect(unreachable.status == 1)
            #expect(unreachable.stderr.contains("cannot reach context nowhere (https://127.0.0.1:1)"), "\(unreachable.stderr)")

            let flag = try await CLI.run(["status", "shop", "--frobnicate"])
            #expect(flag.status == 2)
            #expect(flag.stderr.contains("--frobnicate"), "\(flag.stderr)")

            let timeout = try await CLI.run(["up", "-f", unknown, "--timeout", "soon"])
            #expect(timeout.status == 2)
        }
    }

    @Test("completion scripts for bash, zsh and fish")
    func completion() async throws {
        for shell in ["bash", "zsh", "fish"] {
            let result = try await CLI.run(["completion", shell])
            #expect(result.status == 0)
            #expect(result.stdout.contains("status"), "\(shell): \(result.stdout.prefix(200))")
        }
        let wrong = try await CLI.run(["completion", "tcsh"])
        #expect(wrong.status == 2)
    }

    @Test("version without a plane prints the client's version only")
    func versionOffline() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-none-\(UUID().uuidString)")
        let result = try await CLI.run(["version", "--data-dir", directory.path])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("Client Version: "), "\(result.stdout)")
        #expect(!result.stdout.contains("Server Version"))
    }

    /// A copy of an example directory to edit.
    static func copyExample(_ name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-example-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: CLI.example(name), toPath: directory.path)
        return directory
    }
}

/// Lines of a pipe, read as they come.
final class LineReader: @unchecked Sendable {
    // Only the test's task reads; `pending` is never shared across threads at once.
    private let handle: FileHandle
    private var pending = ""

    init(_ handle: FileHandle) {
        self.handle = handle
    }

    /// The next line, or `nil` at end of file or after 20 s without one.
    func next() async -> String? {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let newline = pending.firstIndex(of: "\n") {
                let line = String(pending[..<newline])
                pending = String(pending[pending.index(after: newline)...])
                return line
            }
            let handle = handle
            let data = await Task.detached { handle.availableData }.value
            if data.isEmpty { return nil }
            pending += String(decoding: data, as: UTF8.self)
        }
        return nil
    }
}

/// Output compared with a file in `Tests/MizzenCLITests/Golden`. `MIZZEN_UPDATE_GOLDEN=1`
/// rewrites the files instead.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func check(_ text: String, against name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let file = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["MIZZEN_UPDATE_GOLDEN"] == "1" {
            try text.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected, "output differs from Golden/\(name):\n\(text)", sourceLocation: sourceLocation)
    }
}
