import Foundation
import Resources
import TestSupport
import Testing

/// The README's walkthrough, with plain kubectl against `mizzen serve` (controllers, the plane's
/// own controllers and simulated node, and admission in-process), as a new user would type it.
@Suite("kubectl walkthrough against mizzen serve", .serialized, .enabled(if: Kubectl.isInstalled))
struct WalkthroughTests {
    /// A running `mizzen serve` and kubectl pointed at it.
    struct Session {
        let directory: URL
        let server: Process

        func kubectl(_ arguments: [String], stdin: String? = nil) async throws -> Kubectl.Result {
            try await Kubectl.run(
                ["--kubeconfig", directory.appendingPathComponent("kubeconfig").path] + arguments, stdin: stdin)
        }

        /// kubectl that must succeed; returns its standard output.
        @discardableResult
        func kubectlOK(_ arguments: [String], stdin: String? = nil) async throws -> String {
            let result = try await kubectl(arguments, stdin: stdin)
            #expect(result.status == 0, "kubectl \(arguments.joined(separator: " ")) failed: \(result.stderr)")
            return result.stdout
        }

        /// Polls `kubectl get … -o jsonpath=…` until it prints `expected`.
        func waitFor(_ arguments: [String], jsonPath: String, toBe expected: String) async throws {
            var last = ""
            let reached = try await eventually(timeout: .seconds(30)) {
                let result = try await kubectl(["get"] + arguments + ["-o", "jsonpath=\(jsonPath)"])
                last = result.stdout + result.stderr
                return result.status == 0 && result.stdout == expected
            }
            #expect(reached, "kubectl get \(arguments.joined(separator: " ")) \(jsonPath): wanted \(expected), last \(last)")
        }

        static func start(extra: [String] = []) throws -> Session {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-walk-\(UUID().uuidString)")
            let (server, _, _) = try ServeCommandTests.start(directory, extra: extra)
            return Session(directory: directory, server: server)
        }

        func stop() {
            server.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    @Test("apply the ContainerizedWorkload example with kubectl: translated, scaled, healthy, then deleted")
    func containerizedWorkload() async throws {
        let session = try Session.start()
        defer { session.stop() }
        try await session.kubectlOK(["apply", "-f", CLI.example("containerized-workload")])

        // Translation with parameters, the ManualScalerTrait, and the Pods the plane's
        // controllers run for it on the simulated node.
        try await session.waitFor(["deployment", "example-appconfig-workload"], jsonPath: "{.spec.replicas}", toBe: "3")
        try await session.waitFor(["deployment", "example-appconfig-workload"], jsonPath: "{.status.readyReplicas}", toBe: "3")
        let rollout = try await session.kubectlOK(
            ["rollout", "status", "deployment/example-appconfig-workload", "--timeout=60s"])
        #expect(rollout.contains("successfully rolled out"), "\(rollout)")
        let pods = try await session.kubectlOK(["get", "pods", "-o", "name"])
        #expect(pods.split(separator: "\n").filter { $0.hasPrefix("pod/example-appconfig-workload-") }.count == 3, "\(pods)")
        try await session.waitFor(
            ["deployment", "example-appconfig-workload"], jsonPath: "{.spec.template.spec.containers[0].image}",
            toBe: "wordpress:php7.2")
        try await session.waitFor(["service", "example-appconfig-workload"], jsonPath: "{.spec.ports[0].port}", toBe: "80")
        try await session.waitFor(["controllerrevision", "example-component-v1"], jsonPath: "{.revision}", toBe: "1")
        try await session.waitFor(
            ["healthscope", "example-health-scope"], jsonPath: "{.status.scopeHealthCondition.healthStatus}",
            toBe: "HEALTHY")
        try await session.waitFor(
            ["applicationconfiguration", "example-appconfig"], jsonPath: "{.status.conditions[0].reason}",
            toBe: "ReconcileSuccess")

        // Deleting the AppConfig takes its workload out of the scope and collects what it made.
        try await session.kubectlOK(["delete", "applicationconfiguration", "example-appconfig", "--wait=true"])
        try await session.waitFor(["healthscope", "example-health-scope"], jsonPath: "{.spec.workloadRefs}", toBe: "[]")
        let gone = try await eventually(timeout: .seconds(30)) {
            try await session.kubectl(["get", "deployment", "example-appconfig-workload"]).status != 0
        }
        #expect(gone)
    }

    @Test("an invalid AppConfig is refused at admission with the field and the reason")
    func validationRejection() async throws {
        let session = try Session.start()
        defer { session.stop() }
        try await session.kubectlOK(["apply", "-f", CLI.example("containerized-workload") + "/component.yaml"])
        let result = try await session.kubectl(["apply", "-f", "-"], stdin: """
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: broken}
            spec:
              components:
              - componentName: example-component
                revisionName: example-component-v1
            """)
        #expect(result.status != 0)
        #expect(result.stderr.contains("spec.components[0]"), "\(result.stderr)")
        #expect(result.stderr.contains("mutually exclusive"), "\(result.stderr)")
    }
}
