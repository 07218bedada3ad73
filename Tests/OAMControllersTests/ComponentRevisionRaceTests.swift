import APIServer
import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OAM
@testable import OAMControllers
import Resources
import Testing
import TestSupport

/// The Component controller and the AppConfig controller both make sure a component's latest
/// revision exists, often for the same change at the same moment, each from an informer cache
/// that has not seen the other's writes: one ControllerRevision must be created, once.
@Suite("Component revisions recorded by two controllers at once")
struct ComponentRevisionRaceTests {
    @Test("two calls for the same change create the revision once and record it once; the next change creates the next")
    func concurrentCallsCreateOnce() async throws {
        let plane = try await EmbeddedPlane.start()
        let counter = RequestCounter()
        var options = KubernetesClient.Options()
        options.requestCounter = counter
        let client = try KubernetesClient(kubeconfig: plane.endpoint.kubeconfig.path, options: options)
        var logger = Logger(label: "mizzen.test.revisions")
        logger.logLevel = .critical
        let manager = Manager(client: client, namespace: "default", logger: logger)
        let revisionsInformer = manager.informer(for: OAMKinds.controllerRevision, indexes: [
            ComponentRevisions.componentIndex: Indexes.label(OAM.Label.controllerRevisionComponent),
        ])
        let appConfigs = manager.informer(for: OAMKinds.applicationConfiguration)
        let revisions = ComponentRevisions(
            client: client, revisions: revisionsInformer, appConfigs: appConfigs, limit: 10, logger: logger)
        let running = Task { try await manager.run() }
        await revisionsInformer.waitForSync()
        await appConfigs.waitForSync()

        func component(image: String) async throws -> Component {
            var object = Resource(apiVersion: "core.oam.dev/v1alpha2", kind: "Component", name: "web", namespace: "default")
            object.spec = ["workload": [
                "apiVersion": "core.oam.dev/v1alpha2", "kind": "ContainerizedWorkload",
                "spec": ["containers": [["name": "web", "image": .string(image)]]],
            ]]
            if let live = try? await client.get(OAMKinds.component, name: "web", namespace: "default") {
                var changed = live
                changed.spec = object.spec
                return try Component(try await client.update(changed))
            }
            return try Component(try await client.create(object))
        }
        func creates() -> (sent: Int, failed: Int, statusWrites: Int) {
            let counts = counter.reset()
            let create = counts[.init(verb: "create", resource: "controllerrevisions.apps")] ?? .init()
            let status = counts.filter { $0.key.resource == "components.core.oam.dev/status" }.values.reduce(0) { $0 + $1.sent }
            return (create.sent, create.failed, status)
        }

        var failure: (any Error)?
        do {
            for (index, image) in ["nginx:1.27", "nginx:1.28"].enumerated() {
                let web = try await component(image: image)
                _ = counter.reset()
                async let first = revisions.ensureLatestRevision(of: web)
                async let second = revisions.ensureLatestRevision(of: web)
                let (a, b) = try await (first, second)
                #expect(a.latestRevision == Component.Revision(name: "web-v\(index + 1)", revision: Int64(index + 1)))
                #expect(b.latestRevision == a.latestRevision)
                let counted = creates()
                #expect(counted.sent == 1 && counted.failed == 0, "ControllerRevision creates: \(counted)")
                #expect(counted.statusWrites == 1, "Component status writes: \(counted.statusWrites)")
            }
            let names = try await client.list(OAMKinds.controllerRevision, namespace: "default").items.map(\.name).sorted()
            #expect(names == ["web-v1", "web-v2"])
        } catch {
            failure = error
        }
        running.cancel()
        _ = await running.result
        try? await client.shutdown()
        await plane.stop()
        if let failure { throw failure }
    }
}
