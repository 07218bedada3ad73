import OrderedCollections
import Resources
import Store
import Testing

@Suite("Create, update and their server-managed fields")
struct WriteRulesTests {
    @Test("one resourceVersion counter increases across all types")
    func counterIsMonotonicAcrossTypes() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let start = try await store.currentResourceVersion()
        let a = try await store.create(configMap("a"), as: configMaps, dryRun: false)
        let b = try await store.create(deployment("b"), as: deployments, dryRun: false)
        let c = try await store.create(configMap("c"), as: configMaps, dryRun: false)
        #expect(rv(a) == start + 1)
        #expect(rv(b) == start + 2)
        #expect(rv(c) == start + 3)
        #expect(try await store.currentResourceVersion() == start + 3)
    }

    @Test("create assigns uid, creationTimestamp, generation 1 and clears status of status types")
    func createAssignsServerFields() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        var request = deployment("web")
        request.status = ["replicas": 3]
        let created = try await store.create(request, as: deployments, dryRun: false)
        let uid = try #require(created.uid)
        #expect(uid.count == 36 && uid == uid.lowercased())
        #expect(Array(uid)[14] == "4")
        let timestamp = try #require(created.creationTimestamp)
        #expect(timestamp.count == 20 && timestamp.hasSuffix("Z"))
        #expect(created.generation == 1)
        #expect(created.status == nil)
        #expect(try await store.get(deployments, namespace: "default", name: "web") == created)
    }

    @Test("empty metadata maps, lists and strings are not kept, as ObjectMeta's omitempty drops them")
    func emptyMetadataDropped() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        var request = configMap("empty")
        request.object["metadata"]?["annotations"] = [:]
        request.object["metadata"]?["labels"] = [:]
        request.object["metadata"]?["finalizers"] = []
        request.object["metadata"]?["generateName"] = ""
        var created = try await store.create(request, as: configMaps, dryRun: false)
        for field in ["annotations", "labels", "finalizers", "generateName"] {
            #expect(created.object["metadata"]?[field] == nil, "metadata.\(field)")
        }
        created.object["metadata"]?["annotations"] = [:]
        let updated = try await store.update(created, as: configMaps, subresource: .main, dryRun: false)
        #expect(updated.resourceVersion == created.resourceVersion, "an empty map is no change")
    }

    @Test("generateName gives the prefix and five random characters, different each time")
    func generateName() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        var request = Resource(apiVersion: "v1", kind: "ConfigMap", namespace: "default")
        request.generateName = "job-"
        var names: Set<String> = []
        for _ in 0..<20 {
            let created = try await store.create(request, as: configMaps, dryRun: false)
            #expect(created.name.hasPrefix("job-") && created.name.count == 9)
            names.insert(created.name)
        }
        #expect(names.count == 20)
    }

    @Test("creating an existing object is AlreadyExists; no name is Invalid")
    func alreadyExists() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        _ = try await store.create(configMap("a"), as: configMaps, dryRun: false)
        let error = await expectAPIError(code: 409, reason: .alreadyExists) {
            _ = try await store.create(configMap("a"), as: configMaps, dryRun: false)
        }
        #expect(error?.message == "configmaps \"a\" already exists")
        await expectAPIError(code: 422, reason: .invalid) {
            _ = try await store.create(Resource(apiVersion: "v1", kind: "ConfigMap", namespace: "default"),
                                       as: configMaps, dryRun: false)
        }
    }

    @Test("default exists from the start; content needs an existing, active namespace")
    func namespaceRules() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let defaultNamespace = try await store.get(.namespace, namespace: nil, name: "default")
        #expect(defaultNamespace.status?["phase"] == "Active")
        let missing = await expectAPIError(code: 404, reason: .notFound) {
            _ = try await store.create(configMap("a", namespace: "shop"), as: configMaps, dryRun: false)
        }
        #expect(missing?.message == "namespaces \"shop\" not found")

        _ = try await store.create(namespaceObject("shop"), as: .namespace, dryRun: false)
        var held = configMap("held", namespace: "shop")
        held.finalizers = ["example.com/hold"]
        _ = try await store.create(held, as: configMaps, dryRun: false)
        let terminating = try await store.delete(.namespace, namespace: nil, name: "shop", options: DeleteOptions())
        #expect(terminating.status?["phase"] == "Terminating")
        let forbidden = await expectAPIError(code: 403, reason: .forbidden) {
            _ = try await store.create(configMap("b", namespace: "shop"), as: configMaps, dryRun: false)
        }
        #expect(forbidden?.message
            == "configmaps \"b\" is forbidden: unable to create new content in namespace shop because it is being terminated")
        await expectAPIError(code: 403, reason: .forbidden) {
            _ = try await store.delete(.namespace, namespace: nil, name: "default", options: DeleteOptions())
        }
    }

    @Test("generation grows only when something besides metadata and status changes")
    func generationRules() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        var object = try await store.create(deployment("web"), as: deployments, dryRun: false)
        object.setLabel("tier", "front")
        object = try await store.update(object, as: deployments, subresource: .main, dryRun: false)
        #expect(object.generation == 1)
        object.status = ["readyReplicas": 1]
        object = try await store.update(object, as: deployments, subresource: .status, dryRun: false)
        #expect(object.generation == 1)
        object.spec = ["replicas": 3]
        object = try await store.update(object, as: deployments, subresource: .main, dryRun: false)
        #expect(object.generation == 2)
        object.generation = 40
        object.setAnnotation("note", "clients cannot set generation")
        object = try await store.update(object, as: deployments, subresource: .main, dryRun: false)
        #expect(object.generation == 2)
    }

    @Test("kinds that do not track generation never get one, as kube leaves it off ConfigMaps")
    func untrackedGeneration() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        var untracked = configMaps
        untracked.tracksGeneration = false
        var given = configMap("plain", data: ["a": "1"])
        given.generation = 7
        var object = try await store.create(given, as: untracked, dryRun: false)
        #expect(object.generation == nil)
        object.object["data"] = ["a": "2"]
        object = try await store.update(object, as: untracked, subresource: .main, dryRun: false)
        #expect(object.generation == nil)
    }

    @Test("annotations bump the generation of kinds that say so, as kube does for Deployments")
    func annotationsBumpGeneration() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        var counting = deployments
        counting.annotationsBumpGeneration = true
        var object = try await store.create(deployment("web"), as: counting, dryRun: false)
        object.setAnnotation("note", "a")
        object = try await store.update(object, as: counting, subresource: .main, dryRun: false)
        #expect(object.generation == 2)
        object.setLabel("tier", "front")
        object = try await store.update(object, as: counting, subresource: .main, dryRun: false)
        #expect(object.generation == 2, "labels do not count")
        var plain = try await store.create(deployment("other"), as: deployments, dryRun: false)
        plain.setAnnotation("note", "a")
        plain = try await store.update(plain, as: deployments, subresource: .main, dryRun: false)
        #expect(plain.generation == 1)
    }

    @Test("a stale resourceVersion is a Conflict; an empty one updates unconditionally")
    func optimisticConcurrency() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let created = try await store.create(configMap("a"), as: configMaps, dryRun: false)
        var first = created
        first.object["data"] = ["k": "1"]
        let updated = try await store.update(first, as: configMaps, subresource: .main, dryRun: false)
        #expect(rv(updated) > rv(created))
        var stale = created
        stale.object["data"] = ["k": "2"]
        let error = await expectAPIError(code: 409, reason: .conflict) {
            _ = try await store.update(stale, as: configMaps, subresource: .main, dryRun: false)
        }
        #expect(error?.message == "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; "
            + "please apply your changes to the latest version and try again")
        stale.resourceVersion = ""
        let forced = try await store.update(stale, as: configMaps, subresource: .main, dryRun: false)
        #expect(forced.object["data"] == ["k": "2"])
        #expect(forced.uid == created.uid)
        #expect(forced.creationTimestamp == created.creationTimestamp)
    }

    @Test("an update that changes nothing writes nothing and keeps the resourceVersion")
    func noOpUpdate() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let created = try await store.create(configMap("a", data: ["k": "v"]), as: configMaps, dryRun: false)
        let before = try await store.currentResourceVersion()
        var same = configMap("a", data: ["k": "v"])   // without uid, timestamps or resourceVersion
        same.resourceVersion = created.resourceVersion
        let result = try await store.update(same, as: configMaps, subresource: .main, dryRun: false)
        #expect(result == created)
        #expect(try await store.currentResourceVersion() == before)
    }

    @Test("uid, creationTimestamp and deletionTimestamp cannot be changed by an update")
    func immutableFields() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let created = try await store.create(configMap("a"), as: configMaps, dryRun: false)
        var otherUID = created
        otherUID.uid = "00000000-0000-4000-8000-000000000000"
        let conflict = await expectAPIError(code: 409, reason: .conflict) {
            _ = try await store.update(otherUID, as: configMaps, subresource: .main, dryRun: false)
        }
        #expect(conflict?.message.contains("Precondition failed: UID in precondition") == true)
        var timestamps = created
        timestamps.creationTimestamp = "2000-01-01T00:00:00Z"
        timestamps.object["data"] = ["x": "y"]
        let updated = try await store.update(timestamps, as: configMaps, subresource: .main, dryRun: false)
        #expect(updated.creationTimestamp == created.creationTimestamp)
        var deleting = updated
        deleting.deletionTimestamp = "2000-01-01T00:00:00Z"
        let invalid = await expectAPIError(code: 422, reason: .invalid) {
            _ = try await store.update(deleting, as: configMaps, subresource: .main, dryRun: false)
        }
        #expect(invalid?.causes.first?.field == "metadata.deletionTimestamp")
    }

    @Test("the main update keeps the stored status; the status update changes only status")
    func statusSeparation() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        var object = try await store.create(deployment("web"), as: deployments, dryRun: false)
        var statusRequest = object
        statusRequest.status = ["readyReplicas": 2]
        statusRequest.spec = ["replicas": 9]
        statusRequest.setLabel("ignored", "yes")
        object = try await store.update(statusRequest, as: deployments, subresource: .status, dryRun: false)
        #expect(object.status == ["readyReplicas": 2])
        #expect(object.spec == ["replicas": 1])
        #expect(object.labels.isEmpty)
        var mainRequest = object
        mainRequest.status = ["readyReplicas": 0]
        mainRequest.spec = ["replicas": 5]
        object = try await store.update(mainRequest, as: deployments, subresource: .main, dryRun: false)
        #expect(object.status == ["readyReplicas": 2])
        #expect(object.spec == ["replicas": 5])
        await expectAPIError(code: 404, reason: .notFound) {
            _ = try await store.update(configMap("x"), as: configMaps, subresource: .status, dryRun: false)
        }
    }

    @Test("dry runs check everything and store nothing")
    func dryRun() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let before = try await store.currentResourceVersion()
        let preview = try await store.create(configMap("a"), as: configMaps, dryRun: true)
        #expect(preview.uid != nil && preview.resourceVersion == nil)
        #expect(try await store.exists(configMaps, namespace: "default", name: "a") == false)
        #expect(try await store.currentResourceVersion() == before)
        let created = try await store.create(configMap("a"), as: configMaps, dryRun: false)
        _ = try await store.delete(configMaps, namespace: "default", name: "a", options: DeleteOptions(dryRun: true))
        #expect(try await store.get(configMaps, namespace: "default", name: "a") == created)
    }

    @Test("cluster-scoped objects have no namespace")
    func clusterScoped() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        var widget = Resource(apiVersion: "example.com/v1", kind: "Widget", name: "w", namespace: "ignored")
        widget.spec = ["size": 1]
        let created = try await store.create(widget, as: clusterWidgets, dryRun: false)
        #expect(created.namespace == nil)
        #expect(try await store.get(clusterWidgets, namespace: nil, name: "w") == created)
    }
}
