import OAM
import Resources
import Testing

@Suite("Native workload definitions")
struct NativeWorkloadsTests {
    static let kinds: [(apiVersion: String, kind: String, name: String)] = [
        ("apps/v1", "Deployment", "deployments.apps"), ("apps/v1", "StatefulSet", "statefulsets.apps"),
        ("apps/v1", "DaemonSet", "daemonsets.apps"), ("batch/v1", "Job", "jobs.batch"),
        ("batch/v1", "CronJob", "cronjobs.batch"),
    ]

    @Test("each native kind has a built-in WorkloadDefinition named <plural>.<group>, with no CRD")
    func definitionsAreBuiltIn() throws {
        let catalog = Catalog()
        for (apiVersion, kind, name) in Self.kinds {
            let lookup = catalog.workloadDefinition(for: ["apiVersion": .string(apiVersion), "kind": .string(kind)])
            #expect(lookup.name == name)
            let definition = try #require(lookup.definition, "no definition for \(kind)")
            #expect(definition.spec.definitionRef.name == name)
            #expect(definition.spec.childResourceKinds == nil, "\(kind) is scaled and patched itself")
            #expect(definition.spec.podSpecPath != nil)
        }
        #expect(StandardCatalog.nativeWorkloadNames == Self.kinds.map(\.name))
        let native = StandardCatalog.entries.filter { StandardCatalog.nativeWorkloadNames.contains($0.definition.name) }
        #expect(native.count == 5)
        #expect(native.allSatisfy { $0.customResourceDefinition == nil })
    }

    @Test("each native entry's example is a valid Component whose workload has a definition")
    func examplesValidate() throws {
        for entry in StandardCatalog.entries
        where StandardCatalog.nativeWorkloadNames.contains(entry.definition.name) {
            let set = try manifestSet(entry.example)
            let manifest = try #require(set.manifests.first { $0.resource.kind == Component.kind })
            let component = try Component(manifest.resource)
            #expect(errors(set.validate()).isEmpty, "\(entry.definition.name)")
            let lookup = Catalog().workloadDefinition(for: component.spec.workload)
            #expect(lookup.name == entry.definition.name)
            let podSpec = try #require(lookup.definition?.spec.podSpecPath)
            #expect(component.spec.workload.valueIfPresent(at: try FieldPath(parsing: podSpec))?["containers"] != nil,
                    "\(entry.definition.name): podSpecPath \(podSpec) finds no containers in the example")
        }
    }
}
