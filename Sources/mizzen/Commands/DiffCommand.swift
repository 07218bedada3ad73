import ArgumentParser
import OAMControllers
import ControllerRuntime
import KubeClient
import OAM
import Resources

struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what `up` would change, as a unified diff of the live objects and the files, and what drifted.",
        discussion: """
            Checks the files as `up` does, then asks the server what each object would become \
            (a server-side apply with dryRun=All, so defaults and merging are the server's) and \
            compares that with the live object. Both sides leave out status and what the server \
            and the controllers keep (managedFields, resourceVersion, uid, generation, \
            creationTimestamp, mizzen.oam.dev/… annotations); Secret values show as ***. An \
            object not on the server shows as all added.

            Removed: the workloads and traits the controller would delete because an \
            ApplicationConfiguration of the files no longer lists their component (or trait \
            kind). Objects that an earlier version of the files held and this one leaves out are \
            not known to Mizzen and are not shown.

            Drift: for each object an ApplicationConfiguration of the files owns (workloads, \
            traits and what they own), the fields that another field manager than Mizzen's \
            controllers now holds, with their values — changes made with kubectl edit, \
            annotate, scale… The controllers put back the fields they set at their next \
            reconcile; the others stay.

            The last line sums up: +N added ~N changed -N removed !N drifted. Coloured on a \
            terminal only.

            Exit codes: 0 no difference and no drift, 1 differences or drift (or an error), \
            2 invalid input.

            Examples:
              mizzen diff -f examples/data-passing
              mizzen diff -f app.yaml -o json | jq '.summary'
              mizzen diff -f app.yaml --kubeconfig ~/.kube/config -n shop
            """)

    @OptionGroup var input: InputOptions

    @OptionGroup var target: TargetOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "json or yaml instead of the diff.")
    var output: DataFormat?

    @OptionGroup var style: StyleOptions

    func run() async throws {
        let documents = try input.documents()
        let terminal = style.terminal
        let connected = try await target.connect()
        let report = try await connected.use { target in
            let manifests = try await ApplyPlan.checked(documents, target: target)
            return try await Self.report(for: manifests.map(\.resource), target: target)
        }
        switch output {
        case let format?: StandardOutput.write(format.text(report.json))
        case nil: StandardOutput.write(report.text(on: terminal))
        }
        if report.hasDifferences { throw ExitStatus.failure }
    }

    /// Compares `objects` (in apply order) with the server.
    static func report(for objects: [Resource], target: Target) async throws -> DiffReport {
        let client = target.client
        var report = DiffReport()
        var liveAppConfigs: [(live: Resource, desired: Resource)] = []
        var runtimeFields = await RuntimeFields.load(client: client)
        for object in objects {
            if object.kind == ScopeDefinition.kind { runtimeFields.add(object) }
            let live = try await existing(object.groupVersionKind, name: object.name, namespace: object.namespace, client: client)
            // As `up` applies it: without the fields the runtime owns on an object that exists.
            let desired = try await dryRun(runtimeFields.trimmed(object, exists: live != nil), client: client)
            report.changes.append(DiffReport.Change(live: live, desired: desired))
            if object.kind == ApplicationConfiguration.kind, let live { liveAppConfigs.append((live, desired)) }
        }
        for (live, desired) in liveAppConfigs {
            let namespace = live.namespace ?? target.namespace
            for reference in DiffReport.removedReferences(live: live, desired: desired) {
                guard let object = try? await client.get(
                    apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name, namespace: namespace)
                else { continue }
                report.changes.append(DiffReport.Change(live: object, desired: nil))
            }
            for entry in try await OwnedObjects(client: client).collect(live) {
                let fields = Drift.fields(of: entry.object)
                guard !fields.isEmpty else { continue }
                report.drift.append(DiffReport.DriftedObject(
                    kind: entry.object.kind, name: entry.object.name, application: live.name, fields: fields))
            }
        }
        return report
    }

    /// The live object; `nil` when there is none or its kind is not served yet (a CRD of the
    /// files that is not installed).
    private static func existing(
        _ kind: GroupVersionKind, name: String, namespace: String?, client: KubernetesClient
    ) async throws -> Resource? {
        do {
            return try await client.get(kind, name: name, namespace: namespace)
        } catch let error as APIError where error.reason == .notFound {
            return nil
        } catch let error as ClientError where error.kind == .noMatch {
            return nil
        }
    }

    /// What the server would make of `object` if `up` applied it now. The object as written
    /// when the server cannot say: its kind comes from a CRD of the files, or its namespace
    /// does not exist yet.
    private static func dryRun(_ object: Resource, client: KubernetesClient) async throws -> Resource {
        do {
            return try await client.apply(object, fieldManager: ApplyPlan.fieldManager, dryRun: true)
        } catch let error as APIError where error.reason == .conflict {
            StandardError.write(
                "warning: \(object.kind)/\(object.name): `up` would stop at a conflict (\(error.message)); "
                    + "the diff shows what `up --force-conflicts` would do")
            return try await client.apply(object, fieldManager: ApplyPlan.fieldManager, force: true, dryRun: true)
        } catch let error as APIError where error.reason == .notFound {
            return object
        } catch let error as ClientError where error.kind == .noMatch {
            return object
        } catch let error as APIError {
            throw CommandFailure(
                "the server would not accept \(object.kind) \(object.name): \(error.message)",
                hint: "`up` would fail here too; fix the object and run again")
        }
    }
}
