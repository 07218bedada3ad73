import OrderedCollections
import Resources
import Testing

@Suite("Resource")
struct ResourceTests {
    static func deployment() throws -> Resource {
        try Resource([
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": [
                "name": "web", "namespace": "prod", "uid": "u-1", "generation": 4,
                "labels": ["b": "2", "a": "1", "n": 3],
            ],
            "spec": ["replicas": 2],
        ])
    }

    @Test("typed accessors read apiVersion, kind and metadata")
    func accessors() throws {
        let resource = try Self.deployment()
        #expect(resource.apiVersion == "apps/v1")
        #expect(resource.kind == "Deployment")
        #expect(resource.groupVersionKind == GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"))
        #expect(resource.name == "web")
        #expect(resource.namespace == "prod")
        #expect(resource.uid == "u-1")
        #expect(resource.generation == 4)
        #expect(resource.displayName == "Deployment/prod/web")
        #expect(resource.spec == ["replicas": 2])
        #expect(resource.status == nil)
    }

    @Test("labels keep their order; setting one keeps its position and appends new ones")
    func labelOrder() throws {
        var resource = try Self.deployment()
        // Non-string values are skipped.
        #expect(Array(resource.labels.keys) == ["b", "a"])
        resource.setLabel("a", "changed")
        resource.setLabel("c", "3")
        #expect(Array(resource.labels.keys) == ["b", "a", "c"])
        #expect(resource.labels["a"] == "changed")
        #expect(Array(resource.metadata["labels"]?.objectValue?.keys ?? []) == ["b", "a", "c"])

        var fresh = Resource(apiVersion: "v1", kind: "ConfigMap", name: "c")
        fresh.labels = ["z": "1", "y": "2", "x": "3"]
        #expect(Array(fresh.labels.keys) == ["z", "y", "x"])
        fresh.labels = [:]
        #expect(fresh.metadata["labels"] == nil)
    }

    @Test("annotations keep their order and an empty map removes them")
    func annotations() {
        var resource = Resource(apiVersion: "v1", kind: "ConfigMap", name: "c")
        resource.setAnnotation("second.example/b", "2")
        resource.setAnnotation("first.example/a", "1")
        resource.setAnnotation("second.example/b", "changed")
        #expect(resource.annotations == ["second.example/b": "changed", "first.example/a": "1"])
        #expect(Array(resource.annotations.keys) == ["second.example/b", "first.example/a"])
        resource.annotations = [:]
        #expect(resource.metadata["annotations"] == nil)
    }

    @Test("owner references round-trip through metadata")
    func ownerReferences() throws {
        var resource = Resource(apiVersion: "v1", kind: "Service", name: "s")
        let owner = OwnerReference(
            apiVersion: "core.oam.dev/v1alpha2", kind: "ContainerizedWorkload", name: "cw", uid: "u-1",
            controller: true, blockOwnerDeletion: true)
        let other = OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "cm", uid: "u-2")
        resource.ownerReferences = [other, owner]
        #expect(resource.ownerReferences == [other, owner])
        #expect(resource.controllerReference == owner)
        #expect(
            try resource.value(at: "metadata.ownerReferences[1]") == [
                "apiVersion": "core.oam.dev/v1alpha2", "kind": "ContainerizedWorkload", "name": "cw", "uid": "u-1",
                "controller": true, "blockOwnerDeletion": true,
            ])
        #expect(try resource.value(at: "metadata.ownerReferences[0]") == ["apiVersion": "v1", "kind": "ConfigMap", "name": "cm", "uid": "u-2"])
        #expect(OwnerReference(json: owner.json) == owner)

        // Malformed entries are skipped.
        try resource.setValue(["kind": "NoAPIVersion", "name": "x"], at: "metadata.ownerReferences[2]")
        #expect(resource.ownerReferences == [other, owner])
        resource.ownerReferences = []
        #expect(resource.metadata["ownerReferences"] == nil)
        #expect(resource.controllerReference == nil)
    }

    @Test("setValue and removeValue write into the object, creating what is missing")
    func setValue() throws {
        var resource = try Self.deployment()
        try resource.setValue(3, at: "spec.replicas")
        try resource.setValue("nginx:1.27", at: "spec.template.spec.containers[0].image")
        try resource.setValue("web", at: "metadata.labels[app.oam.dev/name]")
        #expect(resource.spec?["replicas"] == 3)
        #expect(try resource.value(at: "spec.template.spec.containers") == [["image": "nginx:1.27"]])
        #expect(resource.labels["app.oam.dev/name"] == "web")
        try resource.removeValue(at: "spec.template")
        #expect(resource.spec == ["replicas": 3])
        #expect(resource.valueIfPresent(at: "spec.template") == nil)
    }

    @Test("a failed setValue leaves the resource unchanged")
    func failedSetValue() throws {
        var resource = try Self.deployment()
        let before = resource
        let error = #expect(throws: FieldPathError.self) { try resource.setValue(1, at: "spec.replicas.count") }
        #expect(error?.description == "spec.replicas: is not an object (found integer), cannot set field \"count\"")
        #expect(resource == before)
        let rootError = #expect(throws: FieldPathError.self) { try resource.setValue("x", at: .root) }
        #expect(rootError?.description == "a resource must be an object, found string")
        #expect(resource == before)
        try resource.setValue(["kind": "Other"], at: .root)
        #expect(resource.kind == "Other")
        #expect(resource.object.count == 1)
    }

    @Test("a resource must be an object")
    func notAnObject() {
        let error = #expect(throws: ResourceError.self) { try Resource(["a", "b"]) }
        #expect(error?.description == "expected an object, found array")
    }

    @Test("equality ignores member order, as JSON equality does")
    func equalityIgnoresOrder() throws {
        let a = try Resource(["kind": "ConfigMap", "apiVersion": "v1", "data": ["x": "1", "y": "2"]])
        let b = try Resource(["apiVersion": "v1", "kind": "ConfigMap", "data": ["y": "2", "x": "1"]])
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
        let c = try Resource(["apiVersion": "v1", "kind": "ConfigMap", "data": ["x": "1", "y": "3"]])
        #expect(a != c)
    }

    @Test("the metadata setters write the fields and remove optional ones set to nil")
    func metadataSetters() {
        var resource = Resource(apiVersion: "v1", kind: "Pod", name: "p", namespace: "ns")
        resource.uid = "u"
        resource.resourceVersion = "7"
        resource.finalizers = ["f"]
        resource.deletionTimestamp = "2026-01-01T00:00:00Z"
        #expect(resource.isBeingDeleted)
        #expect(Array(resource.metadata.keys) == ["name", "namespace", "uid", "resourceVersion", "finalizers", "deletionTimestamp"])
        resource.namespace = nil
        resource.finalizers = []
        #expect(resource.namespace == nil)
        #expect(resource.metadata["finalizers"] == nil)
        #expect(resource.displayName == "Pod/p")
    }
}
