import Foundation
import OAM
import Resources
import TestSupport
import Testing

@testable import mizzen

@Suite("mizzen init's templates")
struct InitTemplatesTests {
    /// The kind of every trait of the catalog, as `--trait` takes it.
    static let traits: [String] = CatalogReader.builtins().filter { $0.role == .trait }.map { $0.kind?.kind ?? $0.name }

    @Test("a trait that mounts a volume its spec does not declare gets an emptyDir of that name; lists of words stay whole")
    func volumesDeclared() {
        let schema: JSONValue = ["properties": ["volumes": ["type": "array"], "containers": ["type": "array"]]]
        let spec: JSONValue = [
            "containers": [["name": "side", "command": ["sh", "-c", "true"], "volumeMounts": [["name": "logs", "mountPath": "/logs"]]]],
            "volumes": [["name": "cache", "emptyDir": [:]]],
            "appVolumeMounts": [["name": "logs", "mountPath": "/logs"], ["name": "cache", "mountPath": "/cache"]],
        ]
        #expect(Scaffold.mountedVolumes(spec) == ["logs", "cache"])
        let declared = Scaffold.declaringVolumes(spec, schema: schema)
        #expect(declared["volumes"] == [["name": "cache", "emptyDir": [:]], ["name": "logs", "emptyDir": [:]]])
        // No volumes field in the schema: nothing to declare them in.
        #expect(Scaffold.declaringVolumes(spec, schema: ["properties": [:]]) == spec)
        let cut = Scaffold.firstItems(spec, container: "web")
        #expect(cut["containers"]?[0]?["command"] == ["sh", "-c", "true"])
        #expect(cut["appVolumeMounts"]?.arrayValue?.count == 1)
    }

    @Test("every trait's template declares each volume it mounts", arguments: traits)
    func everyMountDeclared(_ trait: String) throws {
        let resolved = try Scaffold.resolve(traits: [trait], in: CatalogReader.builtins(), preferred: nil)
        let scaffold = Scaffold(name: "web", image: "nginx:1.27", port: 8080, workload: resolved.workload, traits: resolved.traits)
        let documents = try DocumentDecoder.decode(scaffold.appConfigText, file: "appconfig.yaml")
        let spec = documents.first?.value["spec"]?["components"]?[0]?["traits"]?[0]?["trait"]?["spec"] ?? .null
        let volumes = Set((spec["volumes"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
        for name in Scaffold.mountedVolumes(spec) {
            #expect(volumes.contains(name), "\(trait): the mount of \(name) has no volume\n\(scaffold.appConfigText)")
        }
    }

    @Test("every template passes mizzen validate and applies on the embedded plane, its mounts backed by volumes")
    func everyTemplateComesUp() async throws {
        let root = InitCommandTests.directory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var directories: [String: String] = [:]
        for trait in Self.traits {
            let name = "t-" + trait.lowercased()
            let directory = "\(root)/\(name)"
            let written = try await CLI.run(["init", directory, "--name", name, "--image", "nginx:1.27", "--port", "8080", "--trait", trait])
            #expect(written.status == 0, "\(trait): \(written.stderr)")
            let valid = try await CLI.run(["validate", "-f", directory])
            #expect(valid.status == 0, "\(trait): \(valid.stdout)\(valid.stderr)")
            directories[name] = directory
        }
        try await PlaneSession.with { session in
            try await session.up(directories.values.sorted(), wait: false)
            for name in directories.keys.sorted() {
                let synced = try await session.run(["wait", name, "--for=condition=Synced", "--timeout", "30s"])
                #expect(synced.status == 0, "\(name) is not synced: \(synced.stderr)")
            }
            // The pod-template traits' mounts reach the pods with their volumes.
            for trait in ["SidecarTrait", "InitContainerTrait"] {
                let name = "t-" + trait.lowercased()
                var seen = ""
                let backed = try await eventually(timeout: .seconds(30)) {
                    let result = try await session.run(["get", "deployments", name, "-o", "json"])
                    let template = (try? JSONValue(parsingJSON: result.stdout))?["spec"]?["template"]?["spec"] ?? .null
                    let volumes = Set((template["volumes"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
                    let mounted = Scaffold.mountedVolumes(template)
                    seen = "mounts \(mounted), volumes \(volumes.sorted())"
                    return !mounted.isEmpty && mounted.allSatisfy(volumes.contains)
                }
                #expect(backed, "\(name): \(seen)")
            }
        }
    }
}
