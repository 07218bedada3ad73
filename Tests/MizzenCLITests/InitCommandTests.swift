import Foundation
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

@testable import mizzen

@Suite("mizzen init")
struct InitCommandTests {
    static func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-init-\(UUID().uuidString)").path
    }

    @Test("init writes a Component and an AppConfig that validate and come up healthy; it never overwrites")
    func initThenUp() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let written = try await CLI.run([
            "init", directory, "--name", "hello", "--image", "nginx:1.27", "--port", "80", "--trait", "ManualScalerTrait",
        ])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout == "created \(directory)/component.yaml\ncreated \(directory)/appconfig.yaml\n")
        #expect(written.stderr.contains("next: mizzen validate -f \(directory) && mizzen up -f \(directory) --wait"))
        let appConfig = try String(contentsOfFile: "\(directory)/appconfig.yaml", encoding: .utf8)
        #expect(appConfig.contains("kind: ManualScalerTrait\n        spec:\n          replicaCount: 1\n"), "\(appConfig)")
        let component = try String(contentsOfFile: "\(directory)/component.yaml", encoding: .utf8)
        #expect(component.contains("kind: ContainerizedWorkload"))
        #expect(component.contains("- containerPort: 80"))

        let valid = try await CLI.run(["validate", "-f", directory])
        #expect(valid.status == 0, "\(valid.stderr)")

        let again = try await CLI.run(["init", directory, "--name", "other", "--image", "busybox"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("component.yaml and \(directory)/appconfig.yaml already exist: init never overwrites a file, and wrote nothing"), "\(again.stderr)")
        #expect(try String(contentsOfFile: "\(directory)/appconfig.yaml", encoding: .utf8) == appConfig)

        try await PlaneSession.with { session in
            let up = try await session.up([directory])
            #expect(up.stdout.contains("hello  healthy  1 component"), "\(up.stdout)")
            let status = try await session.run(["status", "hello"])
            #expect(status.stdout.contains("trait ManualScalerTrait/"), "\(status.stdout)")
        }
    }

    @Test("init refuses an unknown trait (listing the known ones), a bad name, a bad port")
    func refusals() async throws {
        let directory = Self.directory()
        let unknown = try await CLI.run(["init", directory, "--name", "web", "--image", "nginx", "--trait", "gizmo"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("error: no trait \"gizmo\" in the catalog; the known traits are: "), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("ManualScalerTrait"), "\(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory))
        let badName = try await CLI.run(["init", directory, "--name", "Web_1", "--image", "nginx"])
        #expect(badName.status == 2)
        #expect(badName.stderr.contains("--name \"Web_1\" is not a DNS label"), "\(badName.stderr)")
        let badPort = try await CLI.run(["init", directory, "--name", "web", "--image", "nginx", "--port", "70000"])
        #expect(badPort.status == 2)
        #expect(badPort.stderr.contains("--port 70000 is not between 1 and 65535"), "\(badPort.stderr)")
    }

    @Test("every trait of the catalog scaffolds into files that validate", arguments: CatalogReader.builtins().filter { $0.role == .trait }.map(\.name))
    func everyTrait(_ name: String) throws {
        let resolved = try Scaffold.resolve(traits: [name], in: CatalogReader.builtins(), preferred: nil)
        let scaffold = Scaffold(name: "web", image: "nginx:1.27", port: 8080, workload: resolved.workload, traits: resolved.traits)
        var documents: [Document] = []
        for file in scaffold.files { documents += try DocumentDecoder.decode(file.text, file: file.name) }
        let diagnostics = ManifestSet(documents: documents).validate()
        #expect(!diagnostics.hasErrors, "\(name): \(diagnostics.map(\.description))\n\(scaffold.appConfigText)")
        let trait = documents.last?.value["spec"]?["components"]?[0]?["traits"]?[0]?["trait"]
        #expect(trait?["spec"]?["workloadRef"] == nil)
        #expect(!scaffold.appConfigText.contains("<"), "a placeholder is left: \(scaffold.appConfigText)")
    }

    @Test("a trait that applies to Deployments only makes the Component a Deployment; --workload is honoured or refused")
    func workloadChoice() throws {
        let deploymentOnly = CatalogEntry(
            role: .trait,
            definition: {
                var definition = Resource(apiVersion: OAM.apiVersion, kind: "TraitDefinition", name: "onlydeploys.example.com")
                definition.spec = ["appliesToWorkloads": ["deployments.apps"], "definitionRef": ["name": "onlydeploys.example.com"]]
                return definition
            }(),
            builtin: false, installed: true, kind: GroupVersionKind(group: "example.com", version: "v1", kind: "OnlyDeploy"),
            schemaNote: "")
        let resolved = try Scaffold.resolve(traits: ["OnlyDeploy"], in: [deploymentOnly], preferred: nil)
        #expect(resolved.workload == .deployment)
        let scaffold = Scaffold(name: "web", image: "nginx", port: nil, workload: resolved.workload, traits: resolved.traits)
        #expect(scaffold.componentText.contains("kind: Deployment"))
        #expect(scaffold.componentText.contains("- spec.template.spec.containers[0].image"))
        #expect(throws: Scaffold.Problem.self) {
            try Scaffold.resolve(traits: ["OnlyDeploy"], in: [deploymentOnly], preferred: .containerized)
        }
    }
}
