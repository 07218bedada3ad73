import Foundation
import Resources
import TestSupport
import Testing

@Suite("mizzen rollback", .serialized)
struct RollbackCommandTests {
    @Test("rollback pins a component to an earlier revision, shows it with --dry-run, unpins with --to latest and restores the Component with --restore-component",
          arguments: CLIPlace.Substrate.available)
    func rollback(on substrate: CLIPlace.Substrate) async throws {
        guard Kubectl.isInstalled else { return }
        try await CLIPlace.with(substrate) { place in
            let example = CLI.example("data-passing")
            try await place.up([example], deployments: ["database"], until: "web")
            // web-v2: three replicas.
            let edited = try CLIPlace.editedExample("data-passing") { file, text in
                file == "web.yaml" ? text.replacingOccurrences(of: "replicas: 2", with: "replicas: 3") : text
            }
            defer { try? FileManager.default.removeItem(atPath: edited) }
            let up = try await place.mizzen(["up", "-f", edited])
            try #require(up.status == 0, "\(up.stderr)")
            func web() async throws -> String {
                try await place.jsonpath("deployment", "web", "{.spec.replicas}/{.metadata.labels.app\\.oam\\.dev/revision}")
            }
            let second = try await eventually(timeout: .seconds(30)) { try await web() == "3/web-v2" }
            let afterUp = try await web()
            try #require(second, "Deployment/web is \(afterUp), not 3/web-v2")

            // What does not exist is named, with what does.
            let several = try await place.mizzen(["rollback", "shop", "--to", "1"])
            #expect(several.status == 2)
            #expect(several.stderr.contains(
                "error: ApplicationConfiguration shop has 2 components: say which with --component\n  its components: database, web"),
                "\(several.stderr)")
            let noApp = try await place.mizzen(["rollback", "nope", "--component", "web", "--to", "1"])
            #expect(noApp.status == 1)
            #expect(noApp.stderr.contains("error: ApplicationConfiguration nope not found in namespace \(place.namespace)\n  it has: shop"),
                    "\(noApp.stderr)")
            let noComponent = try await place.mizzen(["rollback", "shop", "--component", "api", "--to", "1"])
            #expect(noComponent.status == 1)
            #expect(noComponent.stderr.contains("error: ApplicationConfiguration shop has no component api\n  its components: database, web"))
            let noRevision = try await place.mizzen(["rollback", "shop", "--component", "web", "--to", "7"])
            #expect(noRevision.status == 1)
            #expect(noRevision.stderr.contains("error: Component web has no revision 7\n  it has 1, 2 (`mizzen revisions web` lists them)"),
                    "\(noRevision.stderr)")

            // --dry-run: the AppConfig's entry and what Deployment/web would become; nothing changes.
            let dryRun = try await place.mizzen(["rollback", "shop", "--component", "web", "--to", "1", "--dry-run"])
            #expect(dryRun.status == 1, "\(dryRun.stderr)")
            #expect(dryRun.stdout.contains("--- live/ApplicationConfiguration/shop\n"))
            #expect(dryRun.stdout.contains("\n-  - componentName: web\n"), "\(dryRun.stdout)")
            #expect(dryRun.stdout.contains("revisionName: web-v1\n"))
            #expect(dryRun.stdout.contains("# changed: AppConfig/shop · Component/web (web-v1)\n--- live/Deployment/web\n"))
            #expect(dryRun.stdout.contains("\n-  replicas: 3\n+  replicas: 2\n"), "\(dryRun.stdout)")
            #expect(dryRun.stdout.hasSuffix("+0 added ~2 changed -0 removed !0 drifted\n"))
            let afterDryRun = try await web()
            #expect(afterDryRun == "3/web-v2", "--dry-run changed nothing")

            // Pin, and the controller runs web-v1 again.
            let pin = try await place.mizzen(["rollback", "shop", "--component", "web", "--to", "1"])
            #expect(pin.status == 0, "\(pin.stderr)")
            #expect(pin.stdout.contains("ApplicationConfiguration/shop: component web pinned to web-v1 (it ran web-v2)"), "\(pin.stdout)")
            #expect(pin.stdout.contains("undo: mizzen rollback shop --component web --to latest"))
            let first = try await eventually(timeout: .seconds(30)) { try await web() == "2/web-v1" }
            let firstNow = try await web()
            #expect(first, "Deployment/web is \(firstNow) after the rollback")
            let again = try await place.mizzen(["rollback", "shop", "--component", "web", "--to", "v1"])
            #expect(again.status == 0)
            #expect(again.stdout.contains("already pinned to web-v1; nothing to do"))
            let revisions = try await place.mizzen(["revisions", "web"])
            #expect(revisions.stdout.contains("shop (pinned)"), "\(revisions.stdout)")

            // Unpin: back to the latest revision.
            let unpin = try await place.mizzen(["rollback", "shop", "--component", "web", "--to", "latest"])
            #expect(unpin.status == 0, "\(unpin.stderr)")
            #expect(unpin.stdout.contains("component web unpinned (was web-v1)"))
            let latest = try await eventually(timeout: .seconds(30)) { try await web() == "3/web-v2" }
            let latestNow = try await web()
            #expect(latest, "Deployment/web is \(latestNow) after --to latest")

            // Restore the Component's spec: a new revision with web-v1's spec.
            let restore = try await place.mizzen(["rollback", "shop", "--component", "web", "--to", "1", "--restore-component"])
            #expect(restore.status == 0, "\(restore.stderr)")
            #expect(restore.stdout.contains("Component/web restored to the spec of web-v1 (was web-v2)"), "\(restore.stdout)")
            let third = try await eventually(timeout: .seconds(30)) { try await web() == "2/web-v3" }
            let thirdNow = try await web()
            #expect(third, "Deployment/web is \(thirdNow) after --restore-component")
        }
    }
}
