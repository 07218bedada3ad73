import Resources
import Testing

@Suite("Label selectors")
struct LabelSelectorTests {
    @Test("selectors parse and print canonically", arguments: [
        ("app=web", "app=web"),
        ("app==web", "app=web"),
        ("app = web , tier!=db", "app=web,tier!=db"),
        ("tier in (b,a), app", "app,tier in (a,b)"),
        ("env notin ( dev , test )", "env notin (dev,test)"),
        ("!legacy", "!legacy"),
        ("app=web,tier in (a,b),!legacy,env notin (dev)", "app=web,env notin (dev),!legacy,tier in (a,b)"),
        ("example.com/owner=me", "example.com/owner=me"),
        ("app=", "app="),
        ("", ""),
        ("   ", ""),
        ("x in (a,a)", "x in (a)"),
    ])
    func parseAndPrint(text: String, canonical: String) throws {
        let selector = try LabelSelector(parsing: text)
        #expect(selector.description == canonical)
        #expect(try LabelSelector(parsing: canonical) == selector)
    }

    static let labels: [String: String] = ["app": "web", "tier": "a", "env": "prod"]

    @Test("selectors match labels", arguments: [
        ("", true), ("app=web", true), ("app=db", false), ("app!=db", true), ("missing!=x", true),
        ("tier in (a,b)", true), ("tier in (c)", false), ("missing in (a)", false),
        ("env notin (dev)", true), ("env notin (prod)", false), ("missing notin (x)", true),
        ("app", true), ("missing", false), ("!missing", true), ("!app", false),
        ("app=web,tier in (a,b),!legacy,env notin (dev)", true), ("app=web,legacy", false),
    ])
    func matching(text: String, expected: Bool) throws {
        #expect(try LabelSelector(parsing: text).matches(Self.labels) == expected)
    }

    @Test("syntax errors say what and where", arguments: [
        ("app=web tier=a", "position 8: expected ',' or end of selector"),
        ("app=web,", "position 8: expected a label key"),
        ("a in b", "position 5: expected '(' after 'in'"),
        ("a in (x", "position 7: expected ')' to close the values of \"a\""),
        ("a in ()", "position 6: for 'in', 'notin' operators, values set can't be empty"),
        ("a ~ b", "position 2: expected '=', '!=', '==', 'in', 'notin', ',' or end of selector"),
        ("Bad_=x", "position 0: invalid label key \"Bad_\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
        ("a=-x", "position 2: invalid label value \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
        ("!", "position 1: expected a label key after '!'"),
        (",a", "position 0: expected a label key, found ','"),
        ("a=(b)", "position 2: unexpected '(' in the value of \"a\""),
    ])
    func syntaxErrors(text: String, message: String) {
        let error = #expect(throws: LabelSelectorError.self) { try LabelSelector(parsing: text) }
        #expect(error?.description == message)
    }

    @Test("the API object form reads matchLabels and matchExpressions")
    func json() throws {
        let selector = try LabelSelector(json: [
            "matchLabels": ["app": "web"],
            "matchExpressions": [
                ["key": "tier", "operator": "In", "values": ["b", "a"]],
                ["key": "env", "operator": "NotIn", "values": ["dev"]],
                ["key": "legacy", "operator": "DoesNotExist"],
                ["key": "team", "operator": "Exists", "values": []],
            ],
        ])
        #expect(selector.description == "app=web,env notin (dev),!legacy,team,tier in (a,b)")
        #expect(try LabelSelector(json: [:]) == .everything)
        #expect(try LabelSelector(json: nil).isEmpty)
        #expect(LabelSelector.everything.matches([:]))
    }

    static let invalidObjects: [(JSONValue, String)] = [
        (["matchExpressions": [["key": "a", "operator": "In"]]],
         "matchExpressions[0].values: must be specified when `operator` is 'In' or 'NotIn'"),
        (["matchExpressions": [["key": "a", "operator": "Exists", "values": ["x"]]]],
         "matchExpressions[0].values: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
        (["matchExpressions": [["key": "a", "operator": "Equals", "values": ["x"]]]],
         "matchExpressions[0].operator: not a valid selector operator \"Equals\""),
        (["matchLabels": ["app": 1]], "matchLabels[app]: must be a string, found integer"),
        (["matchLabels": ["bad key": "x"]],
         "matchLabels[bad key]: invalid label key \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
        ("app=web", "a label selector must be an object, found string"),
    ]

    @Test("the API object form is validated", arguments: invalidObjects)
    func jsonErrors(json: JSONValue, message: String) {
        let error = #expect(throws: LabelSelectorError.self) { try LabelSelector(json: json) }
        #expect(error?.description == message)
    }

    @Test("requirements check their values against the operator")
    func requirementValidation() {
        #expect(throws: LabelSelectorError.self) { try LabelSelector.Requirement(key: "a", operator: .equals, values: []) }
        #expect(throws: LabelSelectorError.self) { try LabelSelector.Requirement(key: "a", operator: .exists, values: ["x"]) }
        #expect(throws: LabelSelectorError.self) { try LabelSelector.Requirement(key: "a", operator: .notIn) }
    }
}
