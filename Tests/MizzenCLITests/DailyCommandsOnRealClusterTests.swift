import Foundation
import Resources
import TestSupport
import Testing

/// `mizzen init`, `wait`, `events` and `graph` against the real kube-apiserver kit (with
/// `mizzen controller` for the namespace). The kit has no deployment controller: the test writes
/// the Deployments' status itself, as a user of such a cluster would see it arrive.
@Suite(
    "mizzen wait, events, graph and init on the real kit", .serialized,
    .enabled(if: RealCluster.isConfigured && Kubectl.isInstalled, Comment(rawValue: RealCluster.skipReason)))
struct DailyCommandsOnRealClusterTests {
    @Test("init's files come up; wait follows the status through a watch; events and graph show the application")
    func dailyCommands() async throws {
        try await RealKitSession.with(topic: "daily") { session in
            let directory = InitCommandTests.directory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let written = try await CLI.run([
                "init", directory, "--name", "hello", "--image", "nginx:1.27", "--workload", "deployment", "--trait", "manualscalertrait",
            ])
            #expect(written.status == 0, "\(written.stderr)")
            let up = try await session.run(["up", "-f", directory])
            #expect(up.status == 0, "\(up.stderr)")

            let synced = try await session.run(["wait", "hello", "--for=condition=Synced", "--timeout", "60s"])
            #expect(synced.status == 0, "\(synced.stderr)")
            #expect(synced.stdout == "applicationconfiguration.core.oam.dev/hello condition met\n")
            // No Deployment controller here: progressing until someone writes its status.
            let progressing = try await session.run(["wait", "hello", "--for=healthy", "--timeout", "2s"])
            #expect(progressing.status == 4, "\(progressing.stderr)")
            #expect(progressing.stderr.contains("hello applied (Deployment/hello 0/1 available)"), "\(progressing.stderr)")

            let waiter = try RunningCLI([
                "wait", "hello", "--for=healthy", "--timeout", "60s", "--kubeconfig", session.kubeconfig, "-n", session.namespace,
            ])
            defer { waiter.stop() }
            try await session.markAvailable("hello")
            #expect(try await waiter.waitForExit(timeout: .seconds(60)))
            #expect(waiter.status == 0, "\(waiter.stderr)")
            #expect(waiter.stdout == "applicationconfiguration.core.oam.dev/hello healthy\n")

            let graph = try await session.run(["graph", "hello"])
            #expect(graph.status == 0, "\(graph.stderr)")
            #expect(graph.stdout.contains("workload Deployment/hello  healthy  1/1 available"), "\(graph.stdout)")
            #expect(graph.stdout.contains("trait ManualScalerTrait/"), "\(graph.stdout)")
            let svg = try await session.run(["graph", "hello", "-o", "svg"])
            #expect(GraphCommandTests.isWellFormedXML(svg.stdout))

            let events = try await session.run(["events", "hello"])
            #expect(events.status == 0, "\(events.stderr)")
            #expect(events.stdout.contains("ApplicationConfiguration/hello"), "\(events.stdout)")
            let missing = try await session.run(["events", "nope"])
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("ApplicationConfiguration nope not found in namespace \(session.namespace)"), "\(missing.stderr)")

            let deletion = try RunningCLI([
                "wait", "hello", "--for=deleted", "--timeout", "60s", "--kubeconfig", session.kubeconfig, "-n", session.namespace,
            ])
            defer { deletion.stop() }
            let deleted = try await session.kubectl(["delete", "applicationconfiguration", "hello", "--wait=false"])
            #expect(deleted.status == 0, "\(deleted.stderr)")
            #expect(try await deletion.waitForExit(timeout: .seconds(60)))
            #expect(deletion.status == 0, "\(deletion.stderr)")
        }
    }
}
