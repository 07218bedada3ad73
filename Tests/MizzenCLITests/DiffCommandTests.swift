import Foundation
import OrderedCollections
import Resources
import TestSupport
import Testing

@Suite("mizzen diff", .serialized)
struct DiffCommandTests {
    /// A copy of the data-passing example in a temporary directory, with `edit` applied to the
    /// text of each file.
    private static func editedExample(_ edit: (String, String) -> String, extra: String? = nil) throws -> String {
        let source = URL(fileURLWithPath: CLI.example("data-passing"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where name.hasSuffix(".yaml") {
            let text = try String(contentsOf: source.appendingPathComponent(name), encoding: .utf8)
            try edit(name, text).write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        if let extra { try extra.write(to: directory.appendingPathComponent("extra.yaml"), atomically: true, encoding: .utf8) }
        return directory.path
    }

    @Test("no change exits 0; an edited file and a new object show as a diff with a summary; drift is reported; bad input exits 2")
    func diffEndToEnd() async throws {
        guard Kubectl.isInstalled else { return }
        try await PlaneSession.with { session in
            let example = CLI.example("data-passing")
            try await session.up([example])

            let same = try await session.run(["diff", "-f", example])
            #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
            #expect(same.stdout == "+0 added ~0 changed -0 removed !0 drifted\n")

            let edited = try Self.editedExample(
                { name, text in name == "web.yaml" ? text.replacingOccurrences(of: "shop-web:1.4.0", with: "shop-web:1.6.0") : text },
                extra: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-settings\ndata:\n  greeting: hello\n")
            defer { try? FileManager.default.removeItem(atPath: edited) }
            let changed = try await session.run(["diff", "-f", edited])
            #expect(changed.status == 1, "\(changed.stderr)")
            #expect(changed.stdout.contains("--- live/Component/web\n+++ desired/Component/web\n@@ "))
            #expect(changed.stdout.contains("\n-            image: ghcr.io/example/shop-web:1.4.0\n+            image: ghcr.io/example/shop-web:1.6.0\n"))
            #expect(changed.stdout.contains("--- live/ConfigMap/web-settings\n+++ desired/ConfigMap/web-settings\n@@ -0,0 +1,7 @@\n+apiVersion: v1\n"))
            // The AppConfig following the Component would render its Deployment with the new revision's label.
            #expect(changed.stdout.contains("# changed: AppConfig/shop · Component/web (web-v2)\n--- live/Deployment/web\n"))
            #expect(changed.stdout.contains("note: Component/web changes: the controller records revision web-v2; ApplicationConfiguration/shop follows it (below)\n"))
            #expect(changed.stdout.hasSuffix("+1 added ~2 changed -0 removed !0 drifted\n"))
            #expect(!changed.stdout.contains("\u{1B}["), "no colour when piped")

            let json = try await session.run(["diff", "-f", edited, "-o", "json"])
            #expect(json.status == 1)
            let report = try JSONValue(parsingJSON: json.stdout)
            #expect(report["summary"]?["added"] == 1)
            #expect(report["summary"]?["changed"] == 2)
            let actions = (report["objects"]?.arrayValue ?? []).map {
                "\($0["kind"]?.stringValue ?? "")/\($0["name"]?.stringValue ?? ""):\($0["action"]?.stringValue ?? "")"
            }
            #expect(actions.contains("ConfigMap/web-settings:added"))
            #expect(actions.contains("Component/web:changed"))
            #expect(actions.contains("ApplicationConfiguration/shop:unchanged"))
            #expect(actions.contains("Deployment/web:changed"))
            #expect(actions.contains("Deployment/database:unchanged"))

            // The web component leaves the AppConfig: its Deployment would be removed.
            let withoutWeb = try Self.editedExample { name, text in
                guard name == "appconfig.yaml", let cut = text.range(of: "    - componentName: web") else { return text }
                return String(text[..<cut.lowerBound])
            }
            defer { try? FileManager.default.removeItem(atPath: withoutWeb) }
            let removal = try await session.run(["diff", "-f", withoutWeb])
            #expect(removal.status == 1, "\(removal.stderr)")
            #expect(removal.stdout.contains(
                "# removed: ApplicationConfiguration/shop · garbage collection\n--- live/Deployment/web\n+++ desired/Deployment/web\n@@ -1,"))
            #expect(removal.stdout.hasSuffix("+0 added ~1 changed -1 removed !0 drifted\n"))

            // Out of band: an annotation the controller does not set stays, and is drift.
            let kubeconfig = session.directory.appendingPathComponent("kubeconfig").path
            let annotate = try await Kubectl.run(["--kubeconfig", kubeconfig, "annotate", "deployment", "web", "team=payments"])
            #expect(annotate.status == 0, "\(annotate.stderr)")
            let drifted = try await session.run(["diff", "-f", example, "-o", "json"])
            #expect(drifted.status == 1, "\(drifted.stderr)")
            let drift = try JSONValue(parsingJSON: drifted.stdout)["drift"]?.arrayValue ?? []
            #expect(drift.count == 1)
            #expect(drift.first?["kind"] == "Deployment")
            #expect(drift.first?["name"] == "web")
            #expect(drift.first?["application"] == "shop")
            let field = drift.first?["fields"]?[0]
            #expect(field?["path"] == ".metadata.annotations.team")
            #expect(field?["value"] == "payments")
            #expect(field?["manager"] == "kubectl-annotate")
            let text = try await session.run(["diff", "-f", example])
            #expect(text.stdout.contains("drift: Deployment/web (ApplicationConfiguration/shop) was changed outside Mizzen:\n  .metadata.annotations.team = \"payments\""))
            #expect(text.stdout.hasSuffix("+0 added ~0 changed -0 removed !1 drifted\n"))

            let broken = try CLI.temporaryFile("apiVersion: v1\nkind: ConfigMap\nmetadata: [\n")
            let invalid = try await session.run(["diff", "-f", broken])
            #expect(invalid.status == 2, "\(invalid.stderr)")
        }
    }
}
