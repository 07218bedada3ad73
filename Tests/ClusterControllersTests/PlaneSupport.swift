import APIServer
import ClusterControllers
import ControllerRuntime
import Foundation
import KubeClient
import Logging
import Resources
import TestSupport
import Testing

/// A fresh embedded plane running the plane's own controllers (all areas unless told otherwise),
/// a client of it, and kubectl pointed at it, for one test; everything is stopped at the end,
/// also when the test fails.
struct Plane {
    let plane: EmbeddedPlane
    let client: KubernetesClient
    let service: ClusterControllerService

    /// The kubeconfig kubectl uses.
    var kubeconfig: String { plane.endpoint.kubeconfig.path }

    static func with(
        areas: Set<ClusterControllers.Area> = Set(ClusterControllers.Area.allCases),
        configure: (inout ClusterControllers.Options) -> Void = { _ in },
        _ body: (Plane) async throws -> Void
    ) async throws {
        let plane = try await EmbeddedPlane.start()
        let client: KubernetesClient
        do {
            client = try KubernetesClient(kubeconfig: plane.endpoint.kubeconfig.path)
        } catch {
            await plane.stop()
            throw error
        }
        var logger = Logger(label: "mizzen.test.cluster")
        logger.logLevel = .critical
        var options = ClusterControllers.Options()
        options.areas = areas
        configure(&options)
        let service = ClusterControllerService(client: client, options: options, logger: logger)
        let running = Task { try await service.run() }
        var failure: (any Error)?
        do {
            try await body(Plane(plane: plane, client: client, service: service))
        } catch {
            failure = error
        }
        running.cancel()
        _ = await running.result
        try? await client.shutdown()
        await plane.stop()
        if let failure { throw failure }
    }

    /// Creates `yaml`'s objects (one or more documents); namespaced ones without a namespace go to `default`.
    @discardableResult
    func create(_ yaml: String) async throws -> [Resource] {
        var created: [Resource] = []
        for document in try DocumentDecoder.decode(yaml, file: "test.yaml") {
            var object = try Resource(document.value)
            if object.namespace == nil, try await client.mapper.mapping(for: object.groupVersionKind).namespaced {
                object.namespace = "default"
            }
            created.append(try await client.create(object))
        }
        return created
    }

    /// The object, or `nil` when there is none.
    func get(_ kind: GroupVersionKind, _ name: String, namespace: String? = "default") async throws -> Resource? {
        do {
            return try await client.get(kind, name: name, namespace: namespace)
        } catch let error as APIError where error.reason == .notFound {
            return nil
        }
    }

    /// The objects of `kind` in `namespace` (every namespace when `nil`).
    func list(_ kind: GroupVersionKind, namespace: String? = "default", labelSelector: String? = nil) async throws
        -> [Resource]
    {
        var options = ListOptions()
        options.labelSelector = try labelSelector.map { try LabelSelector(parsing: $0) }
        return try await client.list(kind, namespace: namespace, options: options).items
    }

    /// Runs kubectl against the plane; fails the test with its output when it exits non-zero
    /// unless `allowFailure`.
    @discardableResult
    func kubectl(_ arguments: String..., stdin: String? = nil, allowFailure: Bool = false) async throws -> Kubectl.Result {
        let result = try await Kubectl.run(["--kubeconfig", kubeconfig] + arguments, stdin: stdin)
        if !allowFailure, result.status != 0 {
            Issue.record("kubectl \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result
    }
}

extension GroupVersionKind {
    static let pod = GroupVersionKind(group: "", version: "v1", kind: "Pod")
    static let node = GroupVersionKind(group: "", version: "v1", kind: "Node")
    static let event = GroupVersionKind(group: "", version: "v1", kind: "Event")
    static let deployment = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
    static let replicaSet = GroupVersionKind(group: "apps", version: "v1", kind: "ReplicaSet")
    static let statefulSet = GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet")
    static let daemonSet = GroupVersionKind(group: "apps", version: "v1", kind: "DaemonSet")
    static let controllerRevision = GroupVersionKind(group: "apps", version: "v1", kind: "ControllerRevision")
    static let job = GroupVersionKind(group: "batch", version: "v1", kind: "Job")
    static let cronJob = GroupVersionKind(group: "batch", version: "v1", kind: "CronJob")
}
