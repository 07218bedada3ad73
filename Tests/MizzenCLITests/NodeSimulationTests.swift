import Foundation
import Resources
import TestSupport
import Testing

/// `mizzen serve --node-simulation`: what runs workloads on the embedded plane. The default,
/// `pods`, is what the walkthrough and the examples run on; these cover the other modes.
@Suite("mizzen serve --node-simulation", .serialized, .enabled(if: Kubectl.isInstalled))
struct NodeSimulationTests {
    static let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api}
        spec:
          replicas: 2
          selector: {matchLabels: {app: api}}
          template:
            metadata: {labels: {app: api}}
            spec: {containers: [{name: main, image: "busybox:1.36"}]}
        """

    @Test("deployments: the old node simulator reports the Deployment available and no Pod or ReplicaSet exists")
    func deploymentLevel() async throws {
        let session = try WalkthroughTests.Session.start(extra: ["--node-simulation", "deployments"])
        defer { session.stop() }
        try await session.kubectlOK(["apply", "-f", "-"], stdin: Self.deployment)
        try await session.waitFor(["deployment", "api"], jsonPath: "{.status.readyReplicas}", toBe: "2")
        let message = try await session.kubectlOK(
            ["get", "deployment", "api", "-o", "jsonpath={.status.conditions[?(@.type==\"Available\")].message}"])
        #expect(message.contains("Simulated by the Mizzen node simulator"), "\(message)")
        #expect(try await session.kubectlOK(["get", "replicasets,pods", "-o", "name"]).isEmpty)
    }

    @Test("pods is the default: the Deployment's ReplicaSet runs its Pods on the node mizzen")
    func podLevel() async throws {
        let session = try WalkthroughTests.Session.start()
        defer { session.stop() }
        try await session.kubectlOK(["apply", "-f", "-"], stdin: Self.deployment)
        try await session.waitFor(["deployment", "api"], jsonPath: "{.status.readyReplicas}", toBe: "2")
        try await session.waitFor(
            ["deployment", "api"], jsonPath: "{.status.conditions[?(@.type==\"Available\")].reason}",
            toBe: "MinimumReplicasAvailable")
        let nodes = try await session.kubectlOK(["get", "pods", "-l", "app=api", "-o", "jsonpath={.items[*].spec.nodeName}"])
        #expect(nodes == "mizzen mizzen", "\(nodes)")
    }

    @Test("mizzen up starts the plane with Pods too: examples/data-passing ends healthy with its three Pods running")
    func upRunsPods() async throws {
        try await PlaneSession.with { session in
            let up = try await session.run(["up", "-f", CLI.example("data-passing"), "--wait", "--timeout", "90s"])
            #expect(up.status == 0, "\(up.stdout)\n\(up.stderr)")
            #expect(up.stdout.contains("shop  healthy"), "\(up.stdout)")
            let kubeconfig = session.directory.appendingPathComponent("kubeconfig").path
            let pods = try await Kubectl.run([
                "--kubeconfig", kubeconfig, "get", "pods", "-o",
                "jsonpath={range .items[*]}{.metadata.labels.app} {.status.phase} {.spec.nodeName}{\"\\n\"}{end}",
            ])
            #expect(pods.status == 0, "\(pods.stderr)")
            let lines = pods.stdout.split(separator: "\n").map(String.init).sorted()
            #expect(lines == ["shop-db Running mizzen", "shop-web Running mizzen", "shop-web Running mizzen"], "\(pods.stdout)")
        }
    }

    @Test("--no-node-simulator is still accepted, with a warning that points to --node-simulation none")
    func deprecatedFlag() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-nosim-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (server, _, errors) = try ServeCommandTests.start(directory, extra: ["--no-node-simulator"])
        defer {
            server.stop()
        }
        // Standard error up to the line saying the server listens.
        var text = ""
        while !text.contains("serving the Kubernetes API") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        #expect(text.contains("--no-node-simulator is deprecated; use --node-simulation none"), "\(text)")
    }

    @Test("serve --help explains --node-simulation and its modes")
    func help() async throws {
        let help = try await CLI.run(["serve", "--help"])
        for word in ["--node-simulation", "pods", "deployments", "none", "simulated"] {
            #expect(help.stdout.contains(word), "\(word) missing from:\n\(help.stdout)")
        }
        #expect(!help.stdout.contains("[--no-node-simulator]"), "the deprecated flag is hidden from the usage")
    }
}
