import OrderedCollections
import Resources
import Store
import Testing

@Suite("Finalizers, garbage collection and namespace deletion")
struct DeletionTests {
    @Test("a finalizer holds a deleted object until an update removes the last one")
    func finalizers() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        var request = configMap("a")
        request.finalizers = ["example.com/a", "example.com/b"]
        let created = try await store.create(request, as: configMaps, dryRun: false)
        let events = try await store.watch(configMaps, namespace: "default", options: ListOptions(), from: rv(created))

        let marked = try await store.delete(configMaps, namespace: "default", name: "a", options: DeleteOptions())
        #expect(marked.deletionTimestamp != nil)
        #expect(marked.object["metadata"]?["deletionGracePeriodSeconds"] == 0)
        #expect(try await store.exists(configMaps, namespace: "default", name: "a"))

        var oneLeft = marked
        oneLeft.finalizers = ["example.com/b"]
        let still = try await store.update(oneLeft, as: configMaps, subresource: .main, dryRun: false)
        #expect(still.deletionTimestamp == marked.deletionTimestamp)
        var added = still
        added.finalizers = ["example.com/b", "example.com/new"]
        await expectAPIError(code: 422, reason: .invalid) {
            _ = try await store.update(added, as: configMaps, subresource: .main, dryRun: false)
        }
        var none = still
        none.finalizers = []
        _ = try await store.update(none, as: configMaps, subresource: .main, dryRun: false)
        #expect(try await store.exists(configMaps, namespace: "default", name: "a") == false)
        let seen = try await collect(3, from: events)
        #expect(seen.map(\.type) == ["MODIFIED", "MODIFIED", "DELETED"])
    }

    @Test("background deletion removes dependents whose only owner is gone, recursively")
    func backgroundPropagation() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let owner = try await store.create(deployment("owner"), as: deployments, dryRun: false)
        let other = try await store.create(deployment("other"), as: deployments, dryRun: false)
        var child = configMap("child")
        child.ownerReferences = [ownerReference(to: owner)]
        let childCreated = try await store.create(child, as: configMaps, dryRun: false)
        var grandchild = configMap("grandchild")
        grandchild.ownerReferences = [ownerReference(to: childCreated)]
        _ = try await store.create(grandchild, as: configMaps, dryRun: false)
        var shared = configMap("shared")
        shared.ownerReferences = [ownerReference(to: owner), ownerReference(to: other)]
        _ = try await store.create(shared, as: configMaps, dryRun: false)

        _ = try await store.delete(deployments, namespace: "default", name: "owner", options: DeleteOptions())
        #expect(try await store.exists(deployments, namespace: "default", name: "owner") == false)
        #expect(try await store.exists(configMaps, namespace: "default", name: "child") == false)
        #expect(try await store.exists(configMaps, namespace: "default", name: "grandchild") == false)
        let survivor = try await store.get(configMaps, namespace: "default", name: "shared")
        #expect(survivor.ownerReferences.map(\.uid) == [other.uid])
    }

    @Test("foreground deletion waits for dependents that block owner deletion")
    func foregroundPropagation() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let owner = try await store.create(deployment("owner"), as: deployments, dryRun: false)
        var blocking = configMap("blocking")
        blocking.ownerReferences = [ownerReference(to: owner, block: true)]
        blocking.finalizers = ["example.com/hold"]
        _ = try await store.create(blocking, as: configMaps, dryRun: false)
        var loose = configMap("loose")
        loose.ownerReferences = [ownerReference(to: owner, block: false)]
        _ = try await store.create(loose, as: configMaps, dryRun: false)

        let marked = try await store.delete(
            deployments, namespace: "default", name: "owner", options: DeleteOptions(propagationPolicy: .foreground))
        #expect(marked.finalizers == ["foregroundDeletion"])
        #expect(marked.deletionTimestamp != nil)
        #expect(try await store.exists(configMaps, namespace: "default", name: "loose") == false)
        let held = try await store.get(configMaps, namespace: "default", name: "blocking")
        #expect(held.deletionTimestamp != nil)
        #expect(try await store.exists(deployments, namespace: "default", name: "owner"))

        var release = held
        release.finalizers = []
        _ = try await store.update(release, as: configMaps, subresource: .main, dryRun: false)
        #expect(try await store.exists(configMaps, namespace: "default", name: "blocking") == false)
        #expect(try await store.exists(deployments, namespace: "default", name: "owner") == false)
    }

    @Test("foreground deletion of an owner without dependents completes at once")
    func foregroundWithoutDependents() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        _ = try await store.create(deployment("owner"), as: deployments, dryRun: false)
        _ = try await store.delete(
            deployments, namespace: "default", name: "owner", options: DeleteOptions(propagationPolicy: .foreground))
        #expect(try await store.exists(deployments, namespace: "default", name: "owner") == false)
    }

    @Test("orphan deletion removes the owner reference from dependents and deletes the owner")
    func orphanPropagation() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let owner = try await store.create(deployment("owner"), as: deployments, dryRun: false)
        let other = try await store.create(deployment("other"), as: deployments, dryRun: false)
        var child = configMap("child")
        child.ownerReferences = [ownerReference(to: owner, block: true), ownerReference(to: other)]
        _ = try await store.create(child, as: configMaps, dryRun: false)
        var lone = configMap("lone")
        lone.ownerReferences = [ownerReference(to: owner)]
        _ = try await store.create(lone, as: configMaps, dryRun: false)

        let result = try await store.delete(
            deployments, namespace: "default", name: "owner", options: DeleteOptions(propagationPolicy: .orphan))
        #expect(result.finalizers == ["orphan"])
        #expect(try await store.exists(deployments, namespace: "default", name: "owner") == false)
        #expect(try await store.get(configMaps, namespace: "default", name: "child").ownerReferences.map(\.uid) == [other.uid])
        #expect(try await store.get(configMaps, namespace: "default", name: "lone").ownerReferences.isEmpty)
    }

    @Test("delete preconditions on uid and resourceVersion are Conflicts")
    func deletePreconditions() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let created = try await store.create(configMap("a"), as: configMaps, dryRun: false)
        await expectAPIError(code: 409, reason: .conflict) {
            _ = try await store.delete(configMaps, namespace: "default", name: "a",
                                       options: DeleteOptions(preconditionUID: "nope"))
        }
        await expectAPIError(code: 409, reason: .conflict) {
            _ = try await store.delete(configMaps, namespace: "default", name: "a",
                                       options: DeleteOptions(preconditionResourceVersion: "1"))
        }
        let deleted = try await store.delete(
            configMaps, namespace: "default", name: "a",
            options: DeleteOptions(preconditionUID: created.uid, preconditionResourceVersion: created.resourceVersion))
        #expect(deleted == created)
        await expectAPIError(code: 404, reason: .notFound) {
            _ = try await store.delete(configMaps, namespace: "default", name: "a", options: DeleteOptions())
        }
    }

    @Test("a dependent whose owner never existed is collected")
    func danglingOwner() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        var child = configMap("child")
        child.ownerReferences = [OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "ghost",
                                                uid: "00000000-0000-4000-8000-000000000001")]
        _ = try await store.create(child, as: configMaps, dryRun: false)
        #expect(try await store.exists(configMaps, namespace: "default", name: "child") == false)
    }

    @Test("deleting a namespace deletes its content, honouring finalizers, then the namespace")
    func namespaceDeletion() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        _ = try await store.create(namespaceObject("shop"), as: .namespace, dryRun: false)
        _ = try await store.create(configMap("a", namespace: "shop"), as: configMaps, dryRun: false)
        _ = try await store.create(deployment("web", namespace: "shop"), as: deployments, dryRun: false)
        var held = configMap("held", namespace: "shop")
        held.finalizers = ["example.com/hold"]
        _ = try await store.create(held, as: configMaps, dryRun: false)
        _ = try await store.create(configMap("elsewhere"), as: configMaps, dryRun: false)

        let terminating = try await store.delete(.namespace, namespace: nil, name: "shop", options: DeleteOptions())
        #expect(terminating.deletionTimestamp != nil)
        #expect(try await store.exists(configMaps, namespace: "shop", name: "a") == false)
        #expect(try await store.exists(deployments, namespace: "shop", name: "web") == false)
        let stillHeld = try await store.get(configMaps, namespace: "shop", name: "held")
        #expect(stillHeld.deletionTimestamp != nil)
        #expect(try await store.get(.namespace, namespace: nil, name: "shop").status?["phase"] == "Terminating")

        var release = stillHeld
        release.finalizers = []
        _ = try await store.update(release, as: configMaps, subresource: .main, dryRun: false)
        #expect(try await store.exists(.namespace, namespace: nil, name: "shop") == false)
        #expect(try await store.exists(configMaps, namespace: "default", name: "elsewhere"))
    }

    @Test("deleteCollection deletes what the selectors match")
    func deleteCollection() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        for index in 0..<6 {
            _ = try await store.create(configMap("cm\(index)", labels: ["even": index % 2 == 0 ? "yes" : "no"]),
                                       as: configMaps, dryRun: false)
        }
        let deleted = try await store.deleteCollection(
            configMaps, namespace: "default",
            options: ListOptions(labelSelector: try LabelSelector(parsing: "even=yes")), deleteOptions: DeleteOptions())
        #expect(deleted.map(\.name) == ["cm0", "cm2", "cm4"])
        let left = try await store.list(configMaps, namespace: "default", options: ListOptions())
        #expect(left.items.map(\.name) == ["cm1", "cm3", "cm5"])
    }
}
