import APIServer
import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import Synchronization
import TestSupport
import Testing

/// The OAM controllers running as the identity `mizzen install` creates
/// (``ControllerIdentity``: the ServiceAccount `mizzen-system/mizzen-controller` and its
/// ClusterRole), with a token from `kubectl create token`, converge an application with no 403;
/// and a permission taken away shows as kube's 403, naming the user and the resource.
///
/// On the embedded plane always; on a kube-apiserver kit running with `--authorization-mode=RBAC`
/// when `MIZZEN_RBAC_K8S` names its directory (the shared `MIZZEN_REAL_K8S` kit allows everything,
/// so it cannot tell a missing permission).
@Suite("The OAM controllers as their ServiceAccount", .enabled(if: Kubectl.isInstalled), .serialized)
struct ControllerServiceAccountTests {
    /// Where the identity is tried.
    enum Cluster: String, CustomStringConvertible, CaseIterable {
        case embedded
        case rbacKit

        var description: String { rawValue }

        /// The kit directory (with `kubeconfig`) of `MIZZEN_RBAC_K8S`.
        static var rbacKitDirectory: String? {
            ProcessInfo.processInfo.environment["MIZZEN_RBAC_K8S"].flatMap { $0.isEmpty ? nil : $0 }
        }

        static var available: [Cluster] { rbacKitDirectory == nil ? [.embedded] : [.embedded, .rbacKit] }
    }

    /// Log lines, kept to find 403s in what the controllers logged.
    final class LogLines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
    }

    struct CapturingHandler: LogHandler {
        let sink: LogLines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            sink.lines.withLock { $0.append("\(event.level) \(event.message) \(merged)") }
        }
    }

    /// An admin client of `cluster`, its kubeconfig, the test's namespace, and how to tear down.
    struct Place {
        let admin: KubernetesClient
        let kubeconfig: String
        let namespace: String
        let plane: EmbeddedPlane?

        static func open(_ cluster: Cluster) async throws -> Place {
            switch cluster {
            case .embedded:
                let plane = try await EmbeddedPlane.start()
                let admin = try KubernetesClient(kubeconfig: plane.endpoint.kubeconfig.path)
                return Place(admin: admin, kubeconfig: plane.endpoint.kubeconfig.path, namespace: "default", plane: plane)
            case .rbacKit:
                let kubeconfig = "\(Cluster.rbacKitDirectory ?? "")/kubeconfig"
                let admin = try KubernetesClient(kubeconfig: kubeconfig)
                for object in OAMCustomResourceDefinitions.all {
                    _ = try await admin.apply(object, fieldManager: "mizzen", force: true)
                }
                let crd = GroupVersionKind(group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition")
                for object in OAMCustomResourceDefinitions.all {
                    _ = try await eventually(timeout: .seconds(60)) {
                        let conditions = try await admin.get(crd, name: object.name).status?["conditions"]?.arrayValue ?? []
                        return conditions.contains { $0["type"] == "Established" && $0["status"] == "True" }
                    }
                }
                for object in BuiltinDefinitions.all { _ = try await admin.apply(object, fieldManager: "mizzen", force: true) }
                let namespace = "mizzen-sa-" + String((0..<6).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
                _ = try await admin.create(Resource(apiVersion: "v1", kind: "Namespace", name: namespace))
                return Place(admin: admin, kubeconfig: kubeconfig, namespace: namespace, plane: nil)
            }
        }

        func close() async {
            if plane == nil {
                if let apps = try? await admin.listAll(OAMKinds.applicationConfiguration, namespace: namespace) {
                    for app in apps.items where !app.finalizers.isEmpty {
                        _ = try? await admin.patch(
                            OAMKinds.applicationConfiguration, name: app.name, namespace: namespace,
                            patch: ["metadata": ["finalizers": .null]], type: .merge)
                    }
                }
                _ = try? await admin.delete(GroupVersionKind(group: "", version: "v1", kind: "Namespace"), name: namespace)
            }
            try? await admin.shutdown()
            await plane?.stop()
        }

        /// Installs `objects` (the identity, or a narrower variant) as `mizzen install` does.
        func install(_ objects: [Resource]) async throws {
            for object in objects { _ = try await admin.apply(object, fieldManager: "mizzen", force: true) }
        }

        /// A client holding a token of `account` from `kubectl create token`.
        func client(for account: String, in accountNamespace: String) async throws -> KubernetesClient {
            let result = try await Kubectl.run(["--kubeconfig", kubeconfig, "create", "token", account, "-n", accountNamespace])
            guard result.status == 0 else { throw ClientError(.configuration, message: "kubectl create token: \(result.stderr)") }
            var connection = admin.connection
            connection.token = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            connection.tokenFile = nil
            connection.clientCertificatePEM = nil
            connection.clientKeyPEM = nil
            return try KubernetesClient(connection: connection)
        }
    }

    /// Runs the OAM controllers (as `mizzen controller` does, with leader election) with `client`
    /// until `body` returns; their log lines go to `lines`.
    static func runControllers(
        client: KubernetesClient, namespace: String, lines: LogLines, _ body: () async throws -> Void
    ) async throws {
        var logger = Logger(label: "mizzen.test.identity") { _ in CapturingHandler(sink: lines) }
        logger.logLevel = .debug
        var options = ControllerService.Options()
        options.namespace = namespace
        options.controllers.workers = 2
        var election = LeaderElectionConfiguration(
            leaseName: "mizzen-controller-\(namespace)", leaseNamespace: ControllerIdentity.namespace)
        election.retryPeriod = .milliseconds(500)
        options.leaderElection = election
        let service = ControllerService(client: client, options: options, logger: logger)
        let running = Task { try await service.run() }
        var failure: (any Error)?
        do { try await body() } catch { failure = error }
        running.cancel()
        _ = await running.result
        if let failure { throw failure }
    }

    static let application = """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: web}
        spec:
          workload:
            apiVersion: core.oam.dev/v1alpha2
            kind: ContainerizedWorkload
            spec:
              containers:
              - name: nginx
                image: nginx:1.25
                ports: [{name: http, containerPort: 80}]
                config: [{path: /etc/web/site.conf, value: "listen 80;"}]
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: HealthScope
        metadata: {name: health}
        spec: {workloadRefs: []}
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: shop}
        spec:
          components:
          - componentName: web
            traits:
            - trait: {apiVersion: core.oam.dev/v1alpha2, kind: ManualScalerTrait, spec: {replicaCount: 3}}
            scopes:
            - scopeRef: {apiVersion: core.oam.dev/v1alpha2, kind: HealthScope, name: health}
        """

    static func createApplication(_ place: Place) async throws {
        for document in try DocumentDecoder.decode(application, file: "shop.yaml") {
            var object = try Resource(document.value)
            object.namespace = place.namespace
            _ = try await place.admin.create(object)
        }
    }

    static let deployment = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
    static let service = GroupVersionKind(group: "", version: "v1", kind: "Service")

    @Test("with only what mizzen install grants, the controllers converge an application and meet no 403 on the embedded plane")
    func convergesOnEmbeddedPlane() async throws {
        try await converges(on: .embedded)
    }

    @Test(
        "with only what mizzen install grants, the controllers converge an application and meet no 403 on a kube-apiserver in RBAC mode",
        .enabled(
            if: Cluster.rbacKitDirectory != nil,
            "MIZZEN_RBAC_K8S is not set: start a kit with AUTHZ_MODE=RBAC (copy of /work/realk8s, own ports) and name its directory"))
    func convergesOnRBACKit() async throws {
        try await converges(on: .rbacKit)
    }

    func converges(on cluster: Cluster) async throws {
        let place = try await Place.open(cluster)
        do {
            try await place.install(ControllerIdentity.objects)
            let client = try await place.client(for: ControllerIdentity.name, in: ControllerIdentity.namespace)
            let lines = LogLines()
            try await Self.runControllers(client: client, namespace: place.namespace, lines: lines) {
                try await Self.createApplication(place)
                let converged = try await eventually(timeout: .seconds(60)) {
                    let app = try? await place.admin.get(OAMKinds.applicationConfiguration, name: "shop", namespace: place.namespace)
                    let synced = app?.status?["conditions"]?.arrayValue?.first { $0["type"] == "Synced" }
                    let deployment = try? await place.admin.get(Self.deployment, name: "web", namespace: place.namespace)
                    let service = try? await place.admin.get(Self.service, name: "web", namespace: place.namespace)
                    let scope = try? await place.admin.get(
                        GroupVersionKind(group: OAM.group, version: OAM.version, kind: "HealthScope"), name: "health",
                        namespace: place.namespace)
                    return synced?["status"] == "True" && deployment?.spec?["replicas"] == 3 && service != nil
                        && scope?.valueIfPresent(at: "spec.workloadRefs[0].name") == "web"
                        && scope?.status?["scopeHealthCondition"] != nil
                }
                let app = try? await place.admin.get(OAMKinds.applicationConfiguration, name: "shop", namespace: place.namespace)
                #expect(converged, "not converged: \(app?.status.map { $0.jsonString(pretty: true) } ?? "no status")")
            }
            let forbidden = lines.all.filter { $0.contains("forbidden") || $0.contains("403") }
            #expect(forbidden.isEmpty, "\(forbidden.joined(separator: "\n"))")
            let whoami = try await Kubectl.run([
                "--kubeconfig", place.kubeconfig, "auth", "can-i", "create", "deployments.apps",
                "--as=\(ControllerIdentity.username)", "-n", place.namespace,
            ])
            #expect(whoami.stdout == "yes\n")
            try? await client.shutdown()
        } catch {
            await place.close()
            throw error
        }
        await place.close()
    }

    /// The identity under names of its own, with `rules` in place of its ClusterRole's.
    static func variant(_ suffix: String, rules: [JSONValue]) -> [Resource] {
        let name = "\(ControllerIdentity.name)-\(suffix)"
        var objects = ControllerIdentity.objects
        objects[1].object["metadata"]?["name"] = .string(name)
        objects[2].object["metadata"]?["name"] = .string(name)
        objects[2].object["rules"] = .array(rules)
        objects[3].object["metadata"]?["name"] = .string(name)
        objects[3].object["roleRef"]?["name"] = .string(name)
        objects[3].object["subjects"] = [["kind": "ServiceAccount", "name": .string(name), "namespace": .string(ControllerIdentity.namespace)]]
        return objects
    }

    /// The identity's rules without `services`, plus `extra`.
    static func rulesWithoutServices(adding extra: [JSONValue] = []) -> [JSONValue] {
        ControllerIdentity.rules.map { rule in
            var rule = rule
            rule["resources"] = .array((rule["resources"]?.arrayValue ?? []).filter { $0 != "services" })
            return rule
        } + extra
    }

    /// Runs the controllers as the variant `objects` of the identity on a fresh place, creates
    /// the application and hands `check` the admin client, the place and the log.
    static func withVariant(
        _ objects: [Resource], on cluster: Cluster,
        _ check: (Place, String, LogLines) async throws -> Void
    ) async throws {
        let place = try await Place.open(cluster)
        do {
            try await place.install(objects)
            let client = try await place.client(for: objects[1].name, in: ControllerIdentity.namespace)
            let lines = LogLines()
            try await Self.runControllers(client: client, namespace: place.namespace, lines: lines) {
                try await Self.createApplication(place)
                try await check(place, "system:serviceaccount:\(ControllerIdentity.namespace):\(objects[1].name)", lines)
            }
            try? await client.shutdown()
            for (kind, object) in [("ClusterRoleBinding", objects[3]), ("ClusterRole", objects[2])] {
                _ = try? await place.admin.delete(
                    GroupVersionKind(group: "rbac.authorization.k8s.io", version: "v1", kind: kind), name: object.name)
            }
        } catch {
            await place.close()
            throw error
        }
        await place.close()
    }

    @Test("a write permission taken away shows as kube's 403 on the workload's status, naming the user and the resource", arguments: Cluster.available)
    func missingWritePermission(on cluster: Cluster) async throws {
        let readOnly: JSONValue = ["apiGroups": [""], "resources": ["services"], "verbs": ["get", "list", "watch"]]
        let objects = Self.variant("read-only-services", rules: Self.rulesWithoutServices(adding: [readOnly]))
        try await Self.withVariant(objects, on: cluster) { place, user, _ in
            let workload = GroupVersionKind(group: OAM.group, version: OAM.version, kind: "ContainerizedWorkload")
            var message = ""
            let reported = try await eventually(timeout: .seconds(60)) {
                let object = try? await place.admin.get(workload, name: "web", namespace: place.namespace)
                let synced = object?.status?["conditions"]?.arrayValue?.first { $0["type"] == "Synced" }
                message = synced?["message"]?.stringValue ?? ""
                return synced?["status"] == "False" && message.contains("forbidden")
            }
            #expect(reported, "no 403 on the workload's status: \(message)")
            #expect(message.contains(#"User "\#(user)" cannot"#), "\(message)")
            #expect(message.contains(#"resource "services""#), "\(message)")
        }
    }

    @Test("a kind the identity may not watch is logged as a warning naming the user and the resource", arguments: Cluster.available)
    func missingWatchPermission(on cluster: Cluster) async throws {
        let objects = Self.variant("no-services", rules: Self.rulesWithoutServices())
        try await Self.withVariant(objects, on: cluster) { place, user, lines in
            var warning: String?
            let logged = try await eventually(timeout: .seconds(30)) {
                warning = lines.all.first { $0.hasPrefix("warning watch.forbidden") && $0.contains(#"resource "services""#) }
                return warning != nil
            }
            #expect(logged, "no warning among:\n\(lines.all.suffix(20).joined(separator: "\n"))")
            #expect(warning?.contains(#"User "\#(user)" cannot"#) == true, "\(warning ?? "")")
        }
    }
}
