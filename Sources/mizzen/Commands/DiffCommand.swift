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

            Then what the controllers would do with it. Each ApplicationConfiguration of the \
            files, and each one on the server that follows a Component of the files (names it \
            by componentName; one pinning a revisionName does not move), is rendered as the \
            controller renders it: against the live Components — a changed Component with the \
            revision the controller would record for it (COMPONENT-vN+1) — revisions, \
            definitions, scopes, data stores and the objects it owns, data inputs filled with \
            the live values of their outputs. Each workload and trait it would apply is applied \
            with dryRun=All as the controller applies it (field manager mizzen, forced) and \
            compared with the live object; a ContainerizedWorkload's Deployment, Service and \
            ConfigMaps are translated and compared too, as are scopes whose member list would \
            change. Each such diff is headed by a line saying where it comes from: \
            `# changed: AppConfig/shop · Component/web (web-v2)`. The app.oam.dev/generation \
            annotation, which follows the AppConfig's generation on everything it renders, is \
            left out of these comparisons.

            Notes (`note: …`, before the summary) say what the diffs cannot: which revision a \
            changed Component gets and which AppConfigs follow it; an object whose data input \
            would not be satisfied (the output, why it waits) and so would not be applied yet; \
            an entry that would not render (its live objects stay); an object the server would \
            refuse or another owner controls.

            Removed: what garbage collection would delete — the objects an \
            ApplicationConfiguration controls and would no longer render (a component or trait \
            taken out, a renamed workload), as the controller decides it. Objects that an \
            earlier version of the files held and this one leaves out are not known to Mizzen \
            and are not shown.

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

    /// Compares `objects` (in apply order) with the server, then what the controllers would do
    /// with the AppConfigs and Components among them.
    static func report(for objects: [Resource], target: Target) async throws -> DiffReport {
        let client = target.client
        var report = DiffReport()
        var desired: [Resource] = []
        var runtimeFields = await RuntimeFields.load(client: client)
        for object in objects {
            if object.kind == ScopeDefinition.kind { runtimeFields.add(object) }
            let live = try await existing(object.groupVersionKind, name: object.name, namespace: object.namespace, client: client)
            // As `up` applies it: without the fields the runtime owns on an object that exists.
            let after = try await dryRun(runtimeFields.trimmed(object, exists: live != nil), client: client)
            report.changes.append(DiffReport.Change(live: live, desired: after))
            desired.append(after)
        }
        try await addRendered(desired, to: &report, target: target)
        return report
    }

    /// Adds to `report` what the controllers would do once `desired` (what the server would
    /// store for the objects given) is on the server: the rendered objects of the AppConfigs
    /// among them and of those following their Components, compared with the live ones; what
    /// garbage collection would delete; and the drift of what the AppConfigs own.
    static func addRendered(_ desired: [Resource], to report: inout DiffReport, target: Target) async throws {
        let client = target.client
        let isOAM = { (object: Resource) in GroupVersion.group(ofAPIVersion: object.apiVersion) == OAM.group }
        let appConfigs = desired.filter { $0.kind == ApplicationConfiguration.kind && isOAM($0) }
        let components = desired.filter { $0.kind == Component.kind && isOAM($0) }
        let definitions = desired.filter {
            [WorkloadDefinition.kind, TraitDefinition.kind, ScopeDefinition.kind].contains($0.kind) && isOAM($0)
        }
        let outcome = try await RenderedChanges(client: client).outcome(
            appConfigs: appConfigs, components: components, definitions: definitions,
            skipping: Set(desired.map(RenderedChanges.key)))
        report.changes += outcome.changes
        report.notes += outcome.notes
        for appConfig in appConfigs {
            guard let live = try await existing(
                OAMKinds.applicationConfiguration, name: appConfig.name, namespace: appConfig.namespace, client: client)
            else { continue }
            for entry in try await OwnedObjects(client: client).collect(live) {
                let fields = Drift.fields(of: entry.object)
                guard !fields.isEmpty else { continue }
                report.drift.append(DiffReport.DriftedObject(
                    kind: entry.object.kind, name: entry.object.name, application: live.name, fields: fields))
            }
        }
    }

    /// The live object; `nil` when there is none or its kind is not served yet (a CRD of the
    /// files that is not installed).
    static func existing(
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
