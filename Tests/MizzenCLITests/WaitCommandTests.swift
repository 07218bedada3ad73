import Foundation
import OrderedCollections
import Resources
import TestSupport
import Testing

@testable import mizzen

@Suite("mizzen wait")
struct WaitCommandTests {
    @Test("wait ends 0 when the goal is met, 4 on a timeout while progressing, 3 while failing, 1 for an unknown app")
    func waitOnTheEmbeddedPlane() async throws {
        try await PlaneSession.with { session in
            // The database must have 5 ready replicas before web gets its input: it never will.
            let directory = try UpStatusTests.copyExample("data-passing")
            let appConfig = directory.appendingPathComponent("appconfig.yaml")
            let original = try String(contentsOf: appConfig, encoding: .utf8)
            try original.replacingOccurrences(of: "value: \"1\"", with: "value: \"5\"").write(to: appConfig, atomically: true, encoding: .utf8)
            try await session.up([directory.path], wait: false)

            let stuck = try await session.run(["wait", "shop", "--for=healthy", "--timeout", "2s"])
            #expect(stuck.status == 4, "\(stuck.stdout)\n\(stuck.stderr)")
            #expect(stuck.stdout.isEmpty)
            #expect(stuck.stderr.contains("error: timed out after 2s waiting for shop to be healthy: "), "\(stuck.stderr)")
            #expect(stuck.stderr.contains("web waiting (on dataOutput db-connection-secret of Deployment/database (status.readyReplicas eq 5)"), "\(stuck.stderr)")
            // Piped, no progress is drawn.
            #expect(!stuck.stderr.contains("\u{1B}"))

            let synced = try await session.run(["wait", "shop", "--for", "condition=Synced"])
            #expect(synced.status == 0, "\(synced.stderr)")
            #expect(synced.stdout == "applicationconfiguration.core.oam.dev/shop condition met\n")
            let noSuchCondition = try await session.run(["wait", "shop", "--for=condition=Ready", "--timeout", "1s"])
            #expect(noSuchCondition.status == 4)
            #expect(noSuchCondition.stderr.contains("waiting for shop to be condition Ready=True: no condition Ready (it has Synced)"), "\(noSuchCondition.stderr)")

            // Fixed, it becomes healthy while wait watches.
            let waiter = try RunningCLI(["wait", "shop", "--for=healthy", "--timeout", "60s", "--data-dir", session.dataDir])
            defer { waiter.stop() }
            try original.write(to: appConfig, atomically: true, encoding: .utf8)
            try await session.up([directory.path], wait: false)
            #expect(try await waiter.waitForExit(timeout: .seconds(60)))
            #expect(waiter.status == 0, "\(waiter.stderr)")
            #expect(waiter.stdout == "applicationconfiguration.core.oam.dev/shop healthy\n")

            // A second AppConfig claiming shop's database is refused: failing, so a timeout is 3.
            let claim = try CLI.temporaryFile("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: copycat}
                spec:
                  components: [{componentName: database}]
                """)
            try await session.up([claim], wait: false)
            let failing = try await session.run(["wait", "copycat", "--for=healthy", "--timeout", "2s"])
            #expect(failing.status == 3, "\(failing.stderr)")
            #expect(failing.stderr.contains("waiting for copycat to be healthy: "), "\(failing.stderr)")
            #expect(failing.stderr.contains("database"), "\(failing.stderr)")

            let unknown = try await session.run(["wait", "nope", "--for=healthy"])
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("error: ApplicationConfiguration nope not found in namespace default"), "\(unknown.stderr)")
            let gone = try await session.run(["wait", "nope", "--for=deleted"])
            #expect(gone.status == 0, "\(gone.stderr)")
            let usage = try await session.run(["wait", "shop", "--for=ready"])
            #expect(usage.status == 2)
            #expect(usage.stderr.contains("healthy"), "\(usage.stderr)")

            // --for=deleted follows a deletion through.
            let deletion = try RunningCLI(["wait", "copycat", "--for=deleted", "--timeout", "60s", "--data-dir", session.dataDir])
            defer { deletion.stop() }
            let deleted = try await session.run(["delete", "copycat"])
            #expect(deleted.status == 0, "\(deleted.stderr)")
            #expect(try await deletion.waitForExit(timeout: .seconds(60)))
            #expect(deletion.status == 0, "\(deletion.stderr)")
            #expect(deletion.stdout == "applicationconfiguration.core.oam.dev/copycat deleted\n")
        }
    }

    @Test("--for parses healthy, deleted and condition=TYPE[=STATUS], and refuses anything else")
    func goals() {
        #expect(WaitGoal(argument: "healthy") == .healthy)
        #expect(WaitGoal(argument: "deleted") == .deleted)
        #expect(WaitGoal(argument: "condition=Synced") == .condition(type: "Synced", status: "True"))
        #expect(WaitGoal(argument: "condition=Synced=False") == .condition(type: "Synced", status: "False"))
        #expect(WaitGoal(argument: "condition=") == nil)
        #expect(WaitGoal(argument: "ready") == nil)
    }

    @Test("a reported error makes a pending goal failing (exit 3 on timeout); an absent app meets deleted only")
    func standing() {
        var report = AppReport(name: "shop", namespace: "default")
        report.generation = 1
        report.observedGeneration = 1
        report.synced = HealthRules.ConditionReading(type: "Synced", status: "True", reason: "ReconcileSuccess", message: "", lastTransitionTime: "")
        report.conditions = [report.synced!]
        #expect(WaitGoal.healthy.standing(report, appConfig: nil) == .met)
        #expect(WaitGoal.condition(type: "synced", status: "true").standing(report, appConfig: nil) == .met)
        #expect(WaitGoal.deleted.standing(nil, appConfig: nil) == .met)
        #expect(WaitGoal.deleted.standing(report, appConfig: nil) == .pending("shop still exists", failing: false))
        #expect(WaitGoal.healthy.standing(nil, appConfig: nil) == .pending("it does not exist", failing: false))

        report.errors = [AppReport.Problem(object: "Deployment/web", fieldPath: "spec.replicas", message: "must be positive")]
        #expect(WaitGoal.healthy.standing(report, appConfig: nil) == .pending("Deployment/web: spec.replicas: must be positive", failing: true))
        // A newer generation not observed yet: the condition is not met for it.
        report.errors = []
        report.generation = 2
        if case .pending(let why, _) = WaitGoal.condition(type: "Synced", status: "True").standing(report, appConfig: nil) {
            #expect(why == "condition Synced is True (ReconcileSuccess), for generation 1 of 2")
        } else {
            Issue.record("a condition of an older generation met the goal")
        }
    }
}
