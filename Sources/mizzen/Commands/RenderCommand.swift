import OrderedCollections
import ArgumentParser
import OAM
import Resources

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print the objects ApplicationConfigurations stand for, as on a fresh cluster.",
        discussion: """
            Renders every ApplicationConfiguration found in the input against the Components, \
            definitions and scopes given with it. Each Component is taken at revision 1 \
            (<name>-v1) unless its status says otherwise; a pinned revisionName needs the \
            ControllerRevision in the input. Each object is preceded by a comment saying where \
            it comes from.

            Objects whose dataInputs wait on outputs that exist only on a live cluster are not \
            printed as if they were ready: they are listed on standard error with what they wait \
            for, and printed only with --include-pending.

            Exit status: 0 rendered, 2 invalid input (including a component that cannot \
            render) or an input that could not be read or parsed.

            Examples:
              mizzen render -f examples/containerized-workload/
              mizzen render -f app.yaml -f components/ --translate -o json
            """)

    @OptionGroup var input: InputOptions

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output format.")
    var output: OutputFormat = .yaml

    @Flag(help: "Also print the Deployment, Service and ConfigMaps each ContainerizedWorkload becomes.")
    var translate = false

    @Flag(help: "Also print objects that wait on data outputs, with their inputs not yet filled.")
    var includePending = false

    func run() throws {
        let set = ManifestSet(documents: try input.documents())
        let diagnostics = set.validate().sortedByLocation
        for diagnostic in diagnostics { StandardError.write(diagnostic.description) }
        if diagnostics.hasErrors {
            StandardError.write("not rendered: the input is invalid")
            throw ExitStatus.invalidInput
        }
        let appConfigs = set.applicationConfigurations
        if appConfigs.isEmpty {
            StandardError.write("error: no ApplicationConfiguration in the input; nothing to render")
            throw ExitStatus.invalidInput
        }

        let renderer = Renderer(catalog: set.catalog)
        var printed: [(provenance: String, object: Resource)] = []
        var pending: [RenderedObject] = []
        var failed = false
        for manifest in appConfigs {
            // Validation passed, so the AppConfig decodes.
            guard let appConfig = try? ApplicationConfiguration(manifest.resource) else { continue }
            let rendered = renderer.render(appConfig)
            for error in rendered.errors {
                StandardError.write(set.locate(error, in: manifest).description)
                failed = true
            }
            for component in rendered.components {
                for object in [component.workload] + component.traits {
                    if !object.isReady {
                        pending.append(object)
                        guard includePending else { continue }
                    }
                    printed.append((object.provenance + (object.isReady ? "" : " · PENDING"), object.object))
                    if translate, object.role == .workload, object.object.kind == ContainerizedWorkload.kind,
                        object.object.apiVersion == OAM.apiVersion
                    {
                        do {
                            let translated = try ContainerizedWorkloadTranslation.translate(object.object)
                            let origin = object.provenance + " · translated"
                            printed.append((origin, translated.deployment))
                            if let service = translated.service { printed.append((origin, service)) }
                            for configMap in translated.configMaps { printed.append((origin, configMap)) }
                        } catch {
                            StandardError.write(
                                "error: \(ObjectName(object.object)): \(error.path): \(error.message) (\(object.provenance))")
                            failed = true
                        }
                    }
                }
            }
            for scope in rendered.scopes {
                printed.append(("AppConfig/\(appConfig.name) · Scope/\(scope.reference.kind)", scope.object))
            }
        }

        switch output {
        case .yaml:
            var out = ""
            for (index, item) in printed.enumerated() {
                if index > 0 { out += "---\n" }
                out += "# \(item.provenance)\n"
                out += item.object.value.yamlString()
            }
            print(out, terminator: "")
        case .json:
            let list: JSONValue = [
                "apiVersion": "v1", "kind": "List", "items": .array(printed.map(\.object.value)),
            ]
            print(list.jsonString(pretty: true))
        }

        if !pending.isEmpty {
            let count = pending.count
            StandardError.write(
                "\(count) object\(count == 1 ? "" : "s") wait\(count == 1 ? "s" : "") on data that only a live cluster has" +
                (includePending ? " (printed above with their inputs not yet filled):" : " (not printed; --include-pending prints them):"))
            for object in pending {
                StandardError.write("  \(ObjectName(object.object)) (\(object.provenance))")
                for edge in object.inputs {
                    guard case .waiting(let reason) = edge.state else { continue }
                    let from = "\(edge.from.kind)/\(edge.from.name)" + (edge.from.fieldPath.map { " \($0)" } ?? "")
                    StandardError.write("    waits on dataOutput \"\(edge.outputName)\" (\(from)): \(reason)")
                }
            }
        }
        if failed { throw ExitStatus.invalidInput }
    }
}
