import OrderedCollections
import Resources

extension Validator {
    /// A Component: spec §10.2, plus its parameters (spec MUST: every fieldPath of a parameter
    /// points at fields of one type, never at an object).
    func validateComponent(_ resource: Resource, decoded: Result<Component, JSONValueDecodingError>? = nil) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let component: Component
        switch decoded ?? Result(catching: { () throws(JSONValueDecodingError) -> Component in try Component(resource) }) {
        case .success(let decoded):
            component = decoded
        case .failure(let error):
            return [.error(ObjectName(resource), error.path, error.message)]
        }
        let subject = ObjectName(resource)
        out += validateWorkloadTemplate(component.spec.workload, subject: subject, path: "spec.workload")
        guard case .object = component.spec.workload else { return out }

        var seen: Set<String> = []
        for (index, parameter) in (component.spec.parameters ?? []).enumerated() {
            let path = FieldPath([.field("spec"), .field("parameters"), .index(index)])
            if parameter.name.isEmpty {
                out.append(.error(subject, path.appending("name"), "parameter name is required"))
            } else if !seen.insert(parameter.name).inserted {
                out.append(.error(subject, path.appending("name"), "parameter \"\(parameter.name)\" is declared twice"))
            }
            if parameter.fieldPaths.isEmpty {
                out.append(.error(subject, path.appending("fieldPaths"), "a parameter needs at least one fieldPath"))
            }
            var firstType: (type: String, index: Int)?
            for (fieldIndex, text) in parameter.fieldPaths.enumerated() {
                let fieldPath = path.appending("fieldPaths").appending(index: fieldIndex)
                guard let parsed = Self.parseFieldPath(text, subject: subject, path: fieldPath, into: &out) else {
                    continue
                }
                guard let current = component.spec.workload.valueIfPresent(at: parsed), !current.isNull else { continue }
                if case .object = current {
                    out.append(.error(subject, fieldPath,
                        "parameter \"\(parameter.name)\" points at \(text), which is an object; parameters set strings or integers"))
                    continue
                }
                let type = current.typeName
                if let first = firstType, first.type != type {
                    out.append(.error(subject, fieldPath,
                        "parameter \"\(parameter.name)\" points at fields of different types: \(parameter.fieldPaths[first.index]) is \(first.type), \(text) is \(type)"))
                } else if firstType == nil {
                    firstType = (type, fieldIndex)
                }
            }
        }
        return out
    }

    /// A workload template: an object with apiVersion and kind and no `type` (spec §10.2).
    func validateWorkloadTemplate(_ workload: JSONValue, subject: ObjectName, path: FieldPath) -> [Diagnostic] {
        guard case .object(let members) = workload else {
            return [.error(subject, path, "the workload must be an object, found \(workload.typeName)")]
        }
        var out: [Diagnostic] = []
        if members["type"] != nil {
            out.append(.error(subject, path.appending("type"),
                "the workload contains type info; write its apiVersion and kind instead (no admission webhook rewrites `type` here)"))
        }
        for field in ["apiVersion", "kind"] where members[field]?.stringValue?.isEmpty ?? true {
            out.append(.error(subject, path.appending(field), "the workload needs \(field)"))
        }
        if let metadata = members["metadata"] {
            if case .object = metadata {
                out += Self.metadataDiagnostics(metadata, subject: subject, path: path.appending("metadata"),
                                                nameRequired: false)
            } else {
                out.append(.error(subject, path.appending("metadata"), "expected an object, found \(metadata.typeName)"))
            }
        }
        return out
    }
}
