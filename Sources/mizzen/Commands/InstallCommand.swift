import ArgumentParser
import OAMControllers
import Foundation
import KubeClient
import OAM
import Resources

struct InstallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Install the OAM CustomResourceDefinitions, built-in definitions and the controller's identity on a cluster.",
        discussion: """
            Server-side applies (field manager "mizzen") the apiextensions.k8s.io/v1 \
            CustomResourceDefinitions of every core.oam.dev/v1alpha2 kind, waits until each is \
            Established, then applies the built-in WorkloadDefinition, TraitDefinition and \
            ScopeDefinition, and the identity mizzen controller runs as: the ServiceAccount \
            mizzen-system/mizzen-controller, the ClusterRole mizzen-controller with exactly the \
            permissions the controllers use, and the ClusterRoleBinding between them. Prints one \
            line per object: created, configured or unchanged. \
            Running it again changes nothing. The embedded plane (mizzen serve) has them already.

            --print writes the same objects as YAML to standard output instead and needs no cluster.

            Examples:
              mizzen install --kubeconfig ~/.kube/config --context kind-dev
              mizzen install --print > oam.yaml && kubectl apply --server-side -f oam.yaml
            """)

    @Option(help: "The kubeconfig to use; KUBECONFIG or ~/.kube/config when omitted.")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context to use; its current-context when omitted.")
    var context: String?

    @Flag(name: .customLong("print"), help: "Print the objects as YAML instead of installing them.")
    var printOnly = false

    @Option(help: "Seconds to wait for each CustomResourceDefinition to become Established.")
    var timeout = 60

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be at least 1 second") }
        if printOnly, kubeconfig != nil || context != nil {
            throw ValidationError("--print needs no cluster; leave out --kubeconfig and --context")
        }
    }

    /// What `mizzen install` installs, in order.
    static var objects: [Resource] {
        OAMCustomResourceDefinitions.all + BuiltinDefinitions.all + ControllerIdentity.objects
    }

    func run() async throws {
        if printOnly {
            FileHandle.standardOutput.write(Data(YAMLStream.encode(Self.objects.map(\.value)).utf8))
            return
        }
        let client: KubernetesClient
        do {
            var options = KubernetesClient.Options()
            options.userAgent = "mizzen-install/\(MizzenVersion.current)"
            client = try KubernetesClient(kubeconfig: kubeconfig, context: context, options: options)
        } catch {
            throw CommandFailure(
                "\(error)", hint: "pass --kubeconfig FILE (and --context NAME) of the cluster to install on",
                status: ExitStatus.invalidInput)
        }
        let installer = Installer(client: client, timeout: .seconds(timeout))
        var failure: (any Error)?
        do {
            try await installer.install(
                crds: OAMCustomResourceDefinitions.all, definitions: BuiltinDefinitions.all,
                identity: ControllerIdentity.objects) { line in
                StandardOutput.writeLine(line)
            }
        } catch {
            failure = error
        }
        try? await client.shutdown()
        if let failure {
            throw CommandFailure("\(failure)")
        }
    }
}

/// Applies objects to a cluster and reports what each apply did.
struct Installer {
    let client: KubernetesClient
    let timeout: Duration

    static let crdKind = GroupVersionKind(group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition")

    /// A failed step, worded for the user: which object, what went wrong, what to do.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Applies `crds`, waits until they are Established, then applies `definitions` and the
    /// controller's `identity` (its namespace, ServiceAccount and RBAC); `report` gets one line per object.
    func install(crds: [Resource], definitions: [Resource], identity: [Resource] = [], report: (String) -> Void) async throws {
        for crd in crds { report(try await apply(crd)) }
        for crd in crds { try await waitUntilEstablished(crd.name) }
        for definition in definitions { report(try await apply(definition)) }
        for object in identity { report(try await apply(object)) }
    }

    /// `<kind>/<name> created|configured|unchanged`, as `kubectl apply` says it.
    private func apply(_ object: Resource) async throws -> String {
        let group = object.groupVersionKind.group
        let label = "\(object.kind.lowercased())\(group.isEmpty ? "" : ".\(group)")/\(object.name)"
        do {
            let before: Resource?
            do {
                before = try await client.get(object.groupVersionKind, name: object.name, namespace: object.namespace)
            } catch let error as APIError where error.reason == .notFound {
                before = nil
            }
            let after = try await client.apply(object, fieldManager: "mizzen", force: true)
            guard let before else { return "\(label) created" }
            // An apply that changes nothing is not written, so the resourceVersion stays.
            return "\(label) \(before.resourceVersion == after.resourceVersion ? "unchanged" : "configured")"
        } catch let error as ClientError where error.kind == .transport {
            throw Failure(description: """
                cannot reach the Kubernetes API server at \(client.connection.server) to apply \(label): \
                \(error.message); check that the cluster is running and that --kubeconfig/--context name it
                """)
        } catch let error as ClientError where error.kind == .noMatch {
            throw Failure(description: """
                cannot apply \(label): \(error.message); the CustomResourceDefinitions must be installed first
                """)
        } catch let error as APIError {
            let hint = switch error.code {
            case 401: "; the kubeconfig's credentials are not accepted"
            case 403: "; the kubeconfig's user may not write it (cluster-admin is needed to install CRDs)"
            default: ""
            }
            throw Failure(description: "cannot apply \(label): \(error.message)\(hint)")
        }
    }

    private func waitUntilEstablished(_ name: String) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let crd = try await client.get(Self.crdKind, name: name)
            let conditions = crd.status?["conditions"]?.arrayValue ?? []
            if conditions.contains(where: { $0["type"] == "Established" && $0["status"] == "True" }) { return }
            guard ContinuousClock.now < deadline else {
                let reasons = conditions.compactMap { condition -> String? in
                    guard condition["status"] != "True", let message = condition["message"]?.stringValue else { return nil }
                    return message
                }
                throw Failure(description: """
                    customresourcedefinition \(name) is not Established after \(timeout)\
                    \(reasons.isEmpty ? "" : " (\(reasons.joined(separator: "; ")))"); \
                    see kubectl describe customresourcedefinition \(name)
                    """)
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
