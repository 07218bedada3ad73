import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `mizzen install` and `mizzen controller --namespace … --webhook-port …` as a user runs them
/// against a real kube-apiserver (the kit of `MIZZEN_REAL_K8S`), checked with kubectl.
@Suite(
    "mizzen controller on the real kit", .serialized,
    .enabled(if: RealCluster.isConfigured && Kubectl.isInstalled, Comment(rawValue: RealCluster.skipReason)))
struct ControllerOnRealClusterTests {
    static let app = """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: web}
        spec:
          workload:
            apiVersion: apps/v1
            kind: Deployment
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: web, image: nginx:1.0}]
          parameters:
          - {name: image, fieldPaths: ["spec.template.spec.containers[0].image"]}
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: shop}
        spec:
          components:
          - componentName: web
            parameterValues: [{name: image, value: "nginx:1.25"}]
        """

    static let brokenApp = """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: broken}
        spec:
          components:
          - componentName: web
            parameterValues: [{name: colour, value: red}]
        """

    @Test("mizzen controller --namespace reconciles that namespace only, and its webhooks check that namespace only")
    func namespacedControllerWithWebhooks() async throws {
        let cluster = try await RealCluster.start()
        let kubeconfig = cluster.kubeconfig.path
        func kubectl(_ arguments: [String], stdin: String? = nil) async throws -> Kubectl.Result {
            try await Kubectl.run(["--kubeconfig", kubeconfig] + arguments, stdin: stdin)
        }
        let installed = try await CLI.run(["install", "--kubeconfig", kubeconfig])
        #expect(installed.status == 0, "mizzen install: \(installed.stderr)")

        let suffix = String((0..<8).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
        let mine = "mizzen-cli-\(suffix)"
        let other = "mizzen-cli-\(suffix)-other"
        let registration = "mizzen-oam-\(mine)"
        for namespace in [mine, other] {
            let created = try await kubectl(["create", "namespace", namespace])
            try #require(created.status == 0, "\(created.stderr)")
            _ = try await kubectl(["label", "namespace", namespace, "mizzen.dev/test-namespace=true"])
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-ctl-\(suffix)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let log = directory.appendingPathComponent("controller.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let port = try Self.freePort()
        let controller = Process()
        controller.executableURL = CLI.binary
        controller.arguments = [
            "controller", "--kubeconfig", kubeconfig, "--namespace", mine,
            "--webhook-port", "\(port)", "--webhook-url", "https://127.0.0.1:\(port)", "--webhook-address", "127.0.0.1",
            "--metrics-address", "127.0.0.1:0", "--log-level", "notice",
        ]
        controller.standardOutput = FileHandle.nullDevice
        controller.standardError = try FileHandle(forWritingTo: log)

        func body() async throws {
            // Registered for its namespace alone.
            let registered = try await eventually(timeout: .seconds(60)) {
                let selector = try await kubectl([
                    "get", "validatingwebhookconfiguration", registration, "-o", "jsonpath={.webhooks[*].namespaceSelector}",
                ])
                return selector.status == 0 && selector.stdout.contains(mine)
            }
            try #require(registered, "no \(registration) registered; log: \(Self.read(log))")

            // The same application in both namespaces: only its own converges.
            for namespace in [mine, other] {
                let applied = try await kubectl(["apply", "-n", namespace, "-f", "-"], stdin: Self.app)
                try #require(applied.status == 0, "\(applied.stderr)")
            }
            let converged = try await eventually(timeout: .seconds(30)) {
                let condition = try await kubectl([
                    "get", "-n", mine, "applicationconfiguration", "shop", "-o",
                    "jsonpath={.status.conditions[0].status}/{.status.workloads[0].workloadRef.name}",
                ])
                return condition.stdout == "True/web"
            }
            #expect(converged, "the AppConfig of \(mine) did not converge; log: \(Self.read(log))")
            let image = try await kubectl([
                "get", "-n", mine, "deployment", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}",
            ])
            #expect(image.stdout == "nginx:1.25")
            let untouched = try await kubectl(["get", "-n", other, "applicationconfiguration", "shop", "-o", "jsonpath={.status}"])
            #expect(untouched.status == 0 && untouched.stdout.isEmpty, "the other namespace's AppConfig got a status")
            let noDeployment = try await kubectl(["get", "-n", other, "deployments", "-o", "name"])
            #expect(noDeployment.stdout.isEmpty)

            // The webhooks refuse an invalid AppConfig in its namespace (once kube-apiserver has
            // read the registration: dry runs until then), with 422 and the field…
            let refused = try await eventually(timeout: .seconds(30)) {
                try await kubectl(["create", "-n", mine, "--dry-run=server", "-f", "-"], stdin: Self.brokenApp).status != 0
            }
            #expect(refused, "the invalid AppConfig was admitted in \(mine)")
            let refusal = try await kubectl(["create", "-n", mine, "-f", "-"], stdin: Self.brokenApp)
            #expect(refusal.status != 0)
            // kubectl words a 422 with causes itself: `The <Kind> "<name>" is invalid: <field>: <message>`.
            #expect(refusal.stderr.contains(
                "The ApplicationConfiguration \"broken\" is invalid: spec.components[0].parameterValues[0].name: unknown parameter \"colour\""),
                "\(refusal.stderr)")
            // …and never see another namespace's objects.
            let elsewhere = try await kubectl(["create", "-n", other, "--dry-run=server", "-f", "-"], stdin: Self.brokenApp)
            #expect(elsewhere.status == 0, "the webhooks of \(mine) checked an object of \(other): \(elsewhere.stderr)")

            // An AppConfig naming a Component not there yet: admitted, with a warning.
            let early = try await kubectl(["create", "-n", mine, "-f", "-"], stdin: """
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: early}
                spec:
                  components: [{componentName: later}]
                """)
            #expect(early.status == 0, "\(early.stderr)")
            #expect(early.stderr.contains("Warning:") && early.stderr.contains("later"), "stderr: \(early.stderr)")
        }

        var failure: (any Error)?
        do {
            try controller.run()
            try await body()
        } catch {
            failure = error
        }
        controller.stop()
        // The registration is cluster-wide: remove it whatever happened.
        let removed = try await kubectl([
            "delete", "validatingwebhookconfiguration,mutatingwebhookconfiguration", registration, "--ignore-not-found",
        ])
        #expect(removed.status == 0, "the webhook configurations \(registration) are left: \(removed.stderr)")
        _ = try await kubectl(["delete", "namespace", mine, other, "--wait=false"])
        if failure != nil { print("mizzen controller's log:\n\(Self.read(log))") }
        try? FileManager.default.removeItem(at: directory)
        if let failure { throw failure }
    }

    static func read(_ log: URL) -> String {
        (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    }

    /// A TCP port free on 127.0.0.1 right now (the kernel's pick for port 0).
    static func freePort() throws -> Int {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw RealClusterError("socket() failed") }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw RealClusterError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketDescriptor, $0, &length) }
        }
        guard named == 0 else { throw RealClusterError("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
