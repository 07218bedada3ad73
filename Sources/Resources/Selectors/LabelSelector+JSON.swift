import OrderedCollections

extension LabelSelector {
    /// Reads the API form `{matchLabels: {k: v}, matchExpressions: [{key, operator, values}]}`,
    /// checked as the API server checks it: `In`/`NotIn` need values, `Exists`/`DoesNotExist`
    /// must have none. `null` and `{}` select everything.
    ///
    /// - Throws: ``LabelSelectorError`` naming the field (`matchExpressions[0].values`).
    public init(json: JSONValue) throws(LabelSelectorError) {
        if json.isNull {
            self = .everything
            return
        }
        guard case .object(let members) = json else {
            throw LabelSelectorError(message: "a label selector must be an object, found \(json.typeName)")
        }
        var requirements: [Requirement] = []
        if let matchLabels = members["matchLabels"], !matchLabels.isNull {
            guard case .object(let labels) = matchLabels else {
                throw LabelSelectorError(field: "matchLabels", message: "must be an object, found \(matchLabels.typeName)")
            }
            for (key, value) in labels {
                let field = "matchLabels[\(key)]"
                guard case .string(let text) = value else {
                    throw LabelSelectorError(field: field, message: "must be a string, found \(value.typeName)")
                }
                requirements.append(try Self.requirement(key: key, .equals, [text], field: field))
            }
        }
        if let matchExpressions = members["matchExpressions"], !matchExpressions.isNull {
            guard case .array(let expressions) = matchExpressions else {
                throw LabelSelectorError(
                    field: "matchExpressions", message: "must be an array, found \(matchExpressions.typeName)")
            }
            for (index, expression) in expressions.enumerated() {
                requirements.append(try Self.requirement(expression, field: "matchExpressions[\(index)]"))
            }
        }
        self.init(requirements)
    }

    private static func requirement(_ expression: JSONValue, field: String) throws(LabelSelectorError) -> Requirement {
        guard case .object(let members) = expression else {
            throw LabelSelectorError(field: field, message: "must be an object, found \(expression.typeName)")
        }
        guard case .string(let key)? = members["key"] else {
            throw LabelSelectorError(field: field + ".key", message: "must be a string")
        }
        guard case .string(let operatorName)? = members["operator"] else {
            throw LabelSelectorError(field: field + ".operator", message: "must be a string")
        }
        var values: [String] = []
        if let list = members["values"], !list.isNull {
            guard case .array(let elements) = list else {
                throw LabelSelectorError(field: field + ".values", message: "must be an array, found \(list.typeName)")
            }
            for (index, element) in elements.enumerated() {
                guard case .string(let text) = element else {
                    throw LabelSelectorError(
                        field: field + ".values[\(index)]", message: "must be a string, found \(element.typeName)")
                }
                values.append(text)
            }
        }
        let op: Requirement.Operator
        switch operatorName {
        case "In", "NotIn":
            op = operatorName == "In" ? .in : .notIn
            if values.isEmpty {
                throw LabelSelectorError(
                    field: field + ".values", message: "must be specified when `operator` is 'In' or 'NotIn'")
            }
        case "Exists", "DoesNotExist":
            op = operatorName == "Exists" ? .exists : .doesNotExist
            if !values.isEmpty {
                throw LabelSelectorError(
                    field: field + ".values", message: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
            }
        default:
            throw LabelSelectorError(
                field: field + ".operator", message: "not a valid selector operator \(quoted(operatorName))")
        }
        return try requirement(key: key, op, values, field: field)
    }

    private static func requirement(
        key: String, _ op: Requirement.Operator, _ values: [String], field: String
    ) throws(LabelSelectorError) -> Requirement {
        do {
            return try Requirement(key: key, operator: op, values: values)
        } catch {
            throw LabelSelectorError(field: field, message: error.message)
        }
    }
}
