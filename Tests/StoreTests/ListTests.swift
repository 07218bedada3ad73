import OrderedCollections
import Resources
import Store
import Testing

@Suite("Lists: order, selectors, consistent pages")
struct ListTests {
    @Test("lists are sorted by namespace and name and filtered by label and field selectors")
    func selectors() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        _ = try await store.create(namespaceObject("b-ns"), as: .namespace, dryRun: false)
        _ = try await store.create(configMap("zeta", labels: ["app": "web"]), as: configMaps, dryRun: false)
        _ = try await store.create(configMap("alpha", labels: ["app": "db"]), as: configMaps, dryRun: false)
        _ = try await store.create(configMap("alpha", namespace: "b-ns", labels: ["app": "web"]), as: configMaps,
                                   dryRun: false)
        let all = try await store.list(configMaps, namespace: nil, options: ListOptions())
        #expect(all.items.map { "\($0.namespace!)/\($0.name)" } == ["b-ns/alpha", "default/alpha", "default/zeta"])
        #expect(all.resourceVersion == (try await store.currentResourceVersion()))

        let web = try await store.list(
            configMaps, namespace: nil, options: ListOptions(labelSelector: try LabelSelector(parsing: "app=web")))
        #expect(web.items.map(\.name) == ["alpha", "zeta"])
        let named = try await store.list(
            configMaps, namespace: nil, options: ListOptions(fieldSelector: try FieldSelector(parsing: "metadata.name=alpha")))
        #expect(named.items.count == 2)
        let notDefault = try await store.list(
            configMaps, namespace: nil,
            options: ListOptions(fieldSelector: try FieldSelector(parsing: "metadata.namespace!=default")))
        #expect(notDefault.items.map(\.namespace) == ["b-ns"])
        let inDefault = try await store.list(configMaps, namespace: "default", options: ListOptions())
        #expect(inDefault.items.map(\.name) == ["alpha", "zeta"])
        #expect(throws: APIError.self) { try FieldSelector(parsing: "spec.replicas=1") }
    }

    @Test("pages after the first reflect the first page's resourceVersion despite writes between them")
    func paginationIsConsistent() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        for index in 0..<10 {
            _ = try await store.create(configMap("cm\(index)", data: ["v": "0"]), as: configMaps, dryRun: false)
        }
        let first = try await store.list(configMaps, namespace: "default", options: ListOptions(limit: 4))
        #expect(first.items.map(\.name) == ["cm0", "cm1", "cm2", "cm3"])
        #expect(first.remainingItemCount == 6)
        let token = try #require(first.continueToken)

        // Writes between pages: a deletion, an update, a creation.
        _ = try await store.delete(configMaps, namespace: "default", name: "cm5", options: DeleteOptions())
        var changed = try await store.get(configMaps, namespace: "default", name: "cm6")
        changed.object["data"] = ["v": "1"]
        _ = try await store.update(changed, as: configMaps, subresource: .main, dryRun: false)
        _ = try await store.create(configMap("cm45"), as: configMaps, dryRun: false)

        let second = try await store.list(configMaps, namespace: "default", options: ListOptions(limit: 4, continueToken: token))
        #expect(second.resourceVersion == first.resourceVersion)
        #expect(second.items.map(\.name) == ["cm4", "cm5", "cm6", "cm7"])
        #expect(second.items[2].object["data"] == ["v": "0"])
        #expect(second.remainingItemCount == 2)
        let secondToken = try #require(second.continueToken)
        let third = try await store.list(
            configMaps, namespace: "default", options: ListOptions(limit: 4, continueToken: secondToken))
        #expect(third.items.map(\.name) == ["cm8", "cm9"])
        #expect(third.continueToken == nil)

        let fresh = try await store.list(configMaps, namespace: "default", options: ListOptions())
        #expect(fresh.items.map(\.name).contains("cm45") && !fresh.items.map(\.name).contains("cm5"))
    }

    @Test("pages run across namespaces, and within one namespace chosen by a field selector")
    func paginationAcrossNamespaces() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        for namespace in ["a", "b", "c"] {
            _ = try await store.create(namespaceObject(namespace), as: .namespace, dryRun: false)
            for index in 0..<3 {
                _ = try await store.create(configMap("cm\(index)", namespace: namespace), as: configMaps, dryRun: false)
            }
        }
        func all(_ options: ListOptions) async throws -> [String] {
            var keys: [String] = []
            var options = options
            repeat {
                let page = try await store.list(configMaps, namespace: nil, options: options)
                keys += page.items.map { "\($0.namespace ?? "")/\($0.name)" }
                options.continueToken = page.continueToken
                _ = try await store.create(configMap("zz\(options.fieldSelector.isEmpty ? "x" : "y")\(keys.count)", namespace: "b"), as: configMaps, dryRun: false)
            } while options.continueToken != nil
            return keys
        }
        #expect(try await all(ListOptions(limit: 2))
            == ["a/cm0", "a/cm1", "a/cm2", "b/cm0", "b/cm1", "b/cm2", "c/cm0", "c/cm1", "c/cm2"])
        let inB = try FieldSelector(parsing: "metadata.namespace=b")
        let expected = try await store.list(configMaps, namespace: nil, options: ListOptions(fieldSelector: inB))
            .items.map { "b/\($0.name)" }
        #expect(expected.count == 8)   // cm0-2 and the five created during the first walk
        #expect(try await all(ListOptions(fieldSelector: inB, limit: 2)) == expected)
    }

    @Test("pages with a label selector are filled to the limit")
    func paginationWithSelector() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        for index in 0..<20 {
            _ = try await store.create(configMap("cm\(index < 10 ? "0" : "")\(index)", labels: ["mod": "\(index % 3)"]),
                                       as: configMaps, dryRun: false)
        }
        var names: [String] = []
        var token: String?
        repeat {
            let page = try await store.list(
                configMaps, namespace: "default",
                options: ListOptions(labelSelector: try LabelSelector(parsing: "mod=0"), limit: 3, continueToken: token))
            #expect(page.remainingItemCount == nil)
            names += page.items.map(\.name)
            token = page.continueToken
            _ = try await store.create(configMap("late\(names.count)", labels: ["mod": "0"]), as: configMaps, dryRun: false)
        } while token != nil
        #expect(names == ["cm00", "cm03", "cm06", "cm09", "cm12", "cm15", "cm18"])
    }

    @Test("a continue token older than the history kept is Expired (410)")
    func expiredContinueToken() async throws {
        let store = try SQLiteStore.inMemory(configuration: .init(historyRevisions: 10))
        defer { try? store.close() }
        for index in 0..<5 { _ = try await store.create(configMap("cm\(index)"), as: configMaps, dryRun: false) }
        let first = try await store.list(configMaps, namespace: "default", options: ListOptions(limit: 2))
        for index in 0..<30 { _ = try await store.create(configMap("more\(index)"), as: configMaps, dryRun: false) }
        let error = await expectAPIError(code: 410, reason: .expired) {
            _ = try await store.list(configMaps, namespace: "default",
                                     options: ListOptions(limit: 2, continueToken: first.continueToken))
        }
        #expect(error?.message == "The provided continue parameter is too old to display a consistent list result. "
            + "You can start a new list without the continue parameter.")
        await expectAPIError(code: 400, reason: .badRequest) {
            _ = try await store.list(configMaps, namespace: "default", options: ListOptions(continueToken: "garbage"))
        }
    }

    @Test("a list at an exact resourceVersion shows the state of then")
    func exactResourceVersion() async throws {
        let store = try SQLiteStore.inMemory()
        defer { try? store.close() }
        let a = try await store.create(configMap("a"), as: configMaps, dryRun: false)
        _ = try await store.create(configMap("b"), as: configMaps, dryRun: false)
        _ = try await store.delete(configMaps, namespace: "default", name: "a", options: DeleteOptions())
        let then = try await store.list(
            configMaps, namespace: "default", options: ListOptions(resourceVersion: rv(a), resourceVersionMatch: .exact))
        #expect(then.items.map(\.name) == ["a"])
        #expect(then.resourceVersion == rv(a))
        await expectAPIError(code: 504, reason: .timeout) {
            _ = try await store.list(configMaps, namespace: "default", options: ListOptions(resourceVersion: 1_000_000))
        }
    }
}
