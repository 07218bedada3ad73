import Foundation
import Resources
import TestSupport
import Testing

/// `mizzen diff` of what the controllers would apply: the rendered, dry-run workloads and
/// traits of the AppConfigs a change affects, what garbage collection would delete, and data
/// inputs that would wait.
@Suite("mizzen diff of the rendered objects", .serialized)
struct RenderedDiffTests {
    @Test("an AppConfig or Component edit shows what its workloads become, what waits and what would be deleted",
          arguments: CLIPlace.Substrate.available)
    func renderedDiff(on substrate: CLIPlace.Substrate) async throws {
        guard Kubectl.isInstalled else { return }
        try await CLIPlace.with(substrate) { place in
            let example = CLI.example("data-passing")
            try await place.up([example], deployments: ["database"], until: "web")

            let same = try await place.mizzen(["diff", "-f", example])
            #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
            #expect(same.stdout == "+0 added ~0 changed -0 removed !0 drifted\n")

            // The check: the image parameter of the AppConfig, and Deployment/web's image.
            let image = try CLIPlace.editedExample("data-passing") { file, text in
                file == "appconfig.yaml" ? text.replacingOccurrences(of: "shop-web:1.5.0", with: "shop-web:1.6.0") : text
            }
            defer { try? FileManager.default.removeItem(atPath: image) }
            let imageDiff = try await place.mizzen(["diff", "-f", image])
            #expect(imageDiff.status == 1, "\(imageDiff.stderr)")
            #expect(imageDiff.stdout.contains("--- live/ApplicationConfiguration/shop\n"))
            #expect(imageDiff.stdout.contains(
                "# changed: AppConfig/shop · Component/web (web-v1)\n--- live/Deployment/web\n+++ desired/Deployment/web\n@@ "),
                "\(imageDiff.stdout)")
            #expect(imageDiff.stdout.contains(
                "\n-        image: ghcr.io/example/shop-web:1.5.0\n+        image: ghcr.io/example/shop-web:1.6.0\n"),
                "\(imageDiff.stdout)")
            #expect(!imageDiff.stdout.contains("live/Deployment/database"), "the database does not change")
            #expect(imageDiff.stdout.hasSuffix("+0 added ~2 changed -0 removed !0 drifted\n"), "\(imageDiff.stdout)")

            let json = try JSONValue(parsingJSON: try await place.mizzen(["diff", "-f", image, "-o", "json"]).stdout)
            let web = (json["objects"]?.arrayValue ?? []).first { $0["kind"] == "Deployment" && $0["name"] == "web" }
            #expect(web?["action"] == "changed")
            #expect(web?["origin"] == "AppConfig/shop · Component/web (web-v1)")

            // A Component edit given alone: the AppConfig on the server that follows it, and its workload.
            let replicas = try CLIPlace.editedExample("data-passing") { file, text in
                file == "web.yaml" ? text.replacingOccurrences(of: "replicas: 2", with: "replicas: 3") : text
            }
            defer { try? FileManager.default.removeItem(atPath: replicas) }
            let componentDiff = try await place.mizzen(["diff", "-f", replicas + "/web.yaml"])
            #expect(componentDiff.status == 1, "\(componentDiff.stderr)")
            #expect(componentDiff.stdout.contains("--- live/Component/web\n"))
            #expect(componentDiff.stdout.contains("# changed: AppConfig/shop · Component/web (web-v2)\n--- live/Deployment/web\n"))
            #expect(componentDiff.stdout.contains("\n-    app.oam.dev/revision: web-v1\n+    app.oam.dev/revision: web-v2\n"))
            #expect(componentDiff.stdout.contains("\n-  replicas: 2\n+  replicas: 3\n"), "\(componentDiff.stdout)")
            #expect(componentDiff.stdout.contains(
                "note: Component/web changes: the controller records revision web-v2; ApplicationConfiguration/shop follows it (below)\n"))
            #expect(componentDiff.stdout.hasSuffix("+0 added ~2 changed -0 removed !0 drifted\n"))

            // A data input whose edge would not be satisfied: its consumer would not be applied.
            let waiting = try CLIPlace.editedExample("data-passing") { file, text in
                file == "appconfig.yaml"
                    ? text.replacingOccurrences(of: "value: \"1\"", with: "value: \"2\"")
                        .replacingOccurrences(of: "shop-web:1.5.0", with: "shop-web:1.6.0")
                    : text
            }
            defer { try? FileManager.default.removeItem(atPath: waiting) }
            let waitDiff = try await place.mizzen(["diff", "-f", waiting])
            #expect(waitDiff.status == 1)
            #expect(!waitDiff.stdout.contains("live/Deployment/web"), "a waiting workload is not applied: \(waitDiff.stdout)")
            #expect(waitDiff.stdout.contains(
                "note: Deployment/web (AppConfig/shop · Component/web (web-v1)) would not be applied yet: it waits on dataOutput \"db-connection-secret\" of Deployment/database metadata.annotations[db.example.com/connection-secret]: got(1) expected to be 2\n"),
                "\(waitDiff.stdout)")
            #expect(waitDiff.stdout.hasSuffix("+0 added ~1 changed -0 removed !0 drifted\n"))

            // The web component leaves the AppConfig: garbage collection would delete its Deployment.
            let withoutWeb = try CLIPlace.editedExample("data-passing") { file, text in
                guard file == "appconfig.yaml", let cut = text.range(of: "    - componentName: web") else { return text }
                return String(text[..<cut.lowerBound])
            }
            defer { try? FileManager.default.removeItem(atPath: withoutWeb) }
            let removal = try await place.mizzen(["diff", "-f", withoutWeb])
            #expect(removal.status == 1, "\(removal.stderr)")
            #expect(removal.stdout.contains(
                "# removed: ApplicationConfiguration/shop · garbage collection\n--- live/Deployment/web\n+++ desired/Deployment/web\n"))
            #expect(removal.stdout.hasSuffix("+0 added ~1 changed -1 removed !0 drifted\n"), "\(removal.stdout)")

            // Nothing was changed by any of it.
            let after = try await place.mizzen(["diff", "-f", example])
            #expect(after.status == 0, "\(after.stdout)")
        }
    }

    @Test("a scaler's replica count is no change: the controller leaves the field to the trait",
          arguments: CLIPlace.Substrate.available)
    func traitOwnedReplicas(on substrate: CLIPlace.Substrate) async throws {
        guard Kubectl.isInstalled else { return }
        try await CLIPlace.with(substrate) { place in
            // A StatefulSet of 2 scaled to 3 by its ManualScalerTrait.
            let example = CLI.example("statefulset")
            let up = try await place.mizzen(["up", "-f", example])
            try #require(up.status == 0, "\(up.stderr)")
            let scaled = try await eventually(timeout: .seconds(30)) {
                try await place.jsonpath("statefulset", "db", "{.spec.replicas}") == "3"
            }
            #expect(scaled)
            let diff = try await place.mizzen(["diff", "-f", example])
            #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
            #expect(!diff.stdout.contains("replicas"), "\(diff.stdout)")
        }
    }

    @Test("a ContainerizedWorkload's translated Deployment shows the change of its image")
    func translatedWorkload() async throws {
        guard Kubectl.isInstalled else { return }
        try await PlaneSession.with { session in
            let example = CLI.example("containerized-workload")
            try await session.up([example])
            let same = try await session.run(["diff", "-f", example])
            #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
            #expect(same.stdout == "+0 added ~0 changed -0 removed !0 drifted\n")

            let edited = try CLIPlace.editedExample("containerized-workload") { file, text in
                file == "appconfig.yaml" ? text.replacingOccurrences(of: "wordpress:php7.2", with: "wordpress:php8.2") : text
            }
            defer { try? FileManager.default.removeItem(atPath: edited) }
            let diff = try await session.run(["diff", "-f", edited])
            #expect(diff.status == 1, "\(diff.stderr)")
            #expect(diff.stdout.contains(
                "# changed: AppConfig/example-appconfig · Component/example-component (example-component-v1)\n--- live/ContainerizedWorkload/example-appconfig-workload\n"),
                "\(diff.stdout)")
            #expect(diff.stdout.contains(
                "# changed: AppConfig/example-appconfig · Component/example-component (example-component-v1) · translated\n--- live/Deployment/example-appconfig-workload\n"))
            #expect(diff.stdout.contains("\n-        image: wordpress:php7.2\n+        image: wordpress:php8.2\n"))
            #expect(diff.stdout.hasSuffix("+0 added ~3 changed -0 removed !0 drifted\n"), "\(diff.stdout)")
        }
    }

    @Test("a Component edit: the AppConfig following it gets the new revision's workload beside the old one, the pinned one stays")
    func componentRevisions() async throws {
        guard Kubectl.isInstalled else { return }
        try await PlaneSession.with { session in
            let example = CLI.example("component-versioning")
            try await session.up([example])
            let edited = try CLIPlace.editedExample("component-versioning") { file, text in
                guard file == "component.yaml", let range = text.range(of: "frontend:2.0") else { return text }
                return text.replacingCharacters(in: range, with: "frontend:3.0")
            }
            defer { try? FileManager.default.removeItem(atPath: edited) }
            let diff = try await session.run(["diff", "-f", edited + "/component.yaml"])
            #expect(diff.status == 1, "\(diff.stderr)")
            #expect(diff.stdout.contains(
                "# added: AppConfig/frontend-canary · Component/frontend (frontend-v3)\n--- live/ContainerizedWorkload/frontend-v3\n"),
                "\(diff.stdout)")
            #expect(diff.stdout.contains(
                "# added: AppConfig/frontend-canary · Component/frontend (frontend-v3) · translated\n--- live/Deployment/frontend-v3\n"))
            #expect(diff.stdout.contains("\n-    name: frontend-v2\n+    name: frontend-v3\n"), "the canary trait moves to the new workload")
            #expect(!diff.stdout.contains("frontend-stable ·"), "the pinned AppConfig renders nothing new")
            #expect(diff.stdout.contains(
                "note: Component/frontend changes: the controller records revision frontend-v3; ApplicationConfiguration/frontend-canary follows it (below); unchanged: ApplicationConfiguration/frontend-stable pins frontend-v1\n"))
            #expect(diff.stdout.hasSuffix("+3 added ~2 changed -0 removed !0 drifted\n"), "frontend-v2 is kept (revisionEnabled)")
        }
    }
}
