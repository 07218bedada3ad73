import APIServer
import Controllers
import Foundation
import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// Where a controller test runs: a fresh embedded plane, or a namespace of the real
/// kube-apiserver kit named by `MIZZEN_REAL_K8S` (see ``RealCluster``).
enum Substrate: String, Sendable, CaseIterable, CustomStringConvertible {
    case embedded
    case realCluster

    /// The substrates this run can use: the embedded plane always, the kit when configured.
    static var available: [Substrate] { RealCluster.isConfigured ? [.embedded, .realCluster] : [.embedded] }

    var description: String { rawValue }
}

/// An embedded plane with the OAM kinds, a client and a running manager with the OAM
/// controllers, for one test; everything is stopped at the end, also when the test fails.
struct Runtime {
    let plane: EmbeddedPlane
    let client: KubernetesClient
    let manager: Manager
    /// The namespace the test's namespaced objects live in.
    var namespace: String { "default" }

    static func with(
        on substrate: Substrate = .embedded, options: OAMControllers.Options = OAMControllers.Options(),
        _ body: (Runtime) async throws -> Void
    ) async throws {
        try await with(on: substrate, registering: { OAMControllers.register(on: $0, options: options, logger: $1) }, body)
    }

    /// A plane, a client and a manager running the controllers `register` adds.
    static func with(
        on substrate: Substrate = .embedded, registering register: (Manager, Logger) -> Void,
        _ body: (Runtime) async throws -> Void
    ) async throws {
        guard substrate == .embedded else { throw RealClusterError("the real-cluster substrate is not wired yet") }
        let plane = try await EmbeddedPlane.start()
        let client: KubernetesClient
        do {
            client = try KubernetesClient(kubeconfig: plane.endpoint.kubeconfig.path)
        } catch {
            await plane.stop()
            throw error
        }
        var logger = Logger(label: "mizzen.test.controllers")
        logger.logLevel = .critical
        let manager = Manager(client: client, logger: logger)
        register(manager, logger)
        let running = Task { try await manager.run() }
        var failure: (any Error)?
        do {
            try await body(Runtime(plane: plane, client: client, manager: manager))
        } catch {
            failure = error
        }
        running.cancel()
        _ = await running.result
        try? await client.shutdown()
        await plane.stop()
        if let failure { throw failure }
    }

    /// Creates `yaml`'s objects (one or more documents).
    @discardableResult
    func create(_ yaml: String) async throws -> [Resource] {
        var created: [Resource] = []
        for document in try DocumentDecoder.decode(yaml, file: "test.yaml") {
            created.append(try await client.create(try Resource(document.value)))
        }
        return created
    }

    func get(_ kind: GroupVersionKind, _ name: String, namespace: String = "default") async throws -> Resource? {
        do {
            return try await client.get(kind, name: name, namespace: namespace)
        } catch let error as APIError where error.reason == .notFound {
            return nil
        }
    }

    /// Waits until `condition` holds on the object (which must come to exist), and returns it.
    @discardableResult
    func waitFor(
        _ kind: GroupVersionKind, _ name: String, namespace: String = "default", timeout: Duration = .seconds(20),
        _ condition: @escaping (Resource) -> Bool = { _ in true }
    ) async throws -> Resource {
        var last: Resource?
        let ok = try await eventually(timeout: timeout) {
            last = try await get(kind, name, namespace: namespace)
            return last.map(condition) ?? false
        }
        guard ok, let last else {
            Issue.record("\(kind.kind)/\(name) did not reach the expected state; last seen: \(last.map { $0.value.jsonString(pretty: true) } ?? "absent")")
            throw RuntimeTestError.timeout
        }
        return last
    }

    /// Reads the object, changes it with `change` and writes it back, again from a fresh read
    /// when a controller wrote it in between (409), as `kubectl edit` users and client-go's
    /// RetryOnConflict do.
    @discardableResult
    func edit(
        _ kind: GroupVersionKind, _ name: String, namespace: String = "default", _ change: (inout Resource) throws -> Void
    ) async throws -> Resource {
        for attempt in 1...10 {
            var object = try await client.get(kind, name: name, namespace: namespace)
            try change(&object)
            do {
                return try await client.update(object)
            } catch let error as APIError where error.reason == .conflict && attempt < 10 {
                continue
            }
        }
        throw RuntimeTestError.timeout
    }

    /// Waits until the object is gone.
    func waitForAbsence(_ kind: GroupVersionKind, _ name: String, namespace: String = "default") async throws {
        let gone = try await eventually { try await get(kind, name, namespace: namespace) == nil }
        #expect(gone, "\(kind.kind)/\(name) should be gone")
    }
}

enum RuntimeTestError: Error {
    case timeout
}

enum Kinds {
    static let deployment = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
    static let configMap = GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")
    static let revision = OAMKinds.controllerRevision
    static let appConfig = OAMKinds.applicationConfiguration
    static let component = OAMKinds.component
    static let healthScope = GroupVersionKind(group: OAM.group, version: OAM.version, kind: "HealthScope")
    static let manualScaler = GroupVersionKind(group: OAM.group, version: OAM.version, kind: "ManualScalerTrait")
}
