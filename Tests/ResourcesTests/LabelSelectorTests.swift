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
        ("a in ()", "a in ()"),
        ("a in (,b,)", "a in (,b)"),
        ("x in (in)", "x in (in)"),
        ("n>5", "n>5"),
        ("n < 5", "n<5"),
    ])
    func parseAndPrint(text: String, canonical: String) throws {
        let selector = try LabelSelector(parsing: text)
        #expect(selector.description == canonical)
        #expect(try LabelSelector(parsing: canonical) == selector)
    }

    static let labels: [String: String] = ["app": "web", "tier": "a", "env": "prod", "n": "7"]

    @Test("selectors match labels", arguments: [
        ("", true), ("app=web", true), ("app=db", false), ("app!=db", true), ("missing!=x", true),
        ("tier in (a,b)", true), ("tier in (c)", false), ("missing in (a)", false),
        ("env notin (dev)", true), ("env notin (prod)", false), ("missing notin (x)", true),
        ("app", true), ("missing", false), ("!missing", true), ("!app", false),
        ("app=web,tier in (a,b),!legacy,env notin (dev)", true), ("app=web,legacy", false),
        ("n>5", true), ("n>7", false), ("n<8", true), ("app>1", false), ("missing<9", false),
    ])
    func matching(text: String, expected: Bool) throws {
        #expect(try LabelSelector(parsing: text).matches(Self.labels) == expected)
    }

    // Each message is kube-apiserver's answer to the same selector (kubectl prints it).
    @Test("syntax errors are worded as kube-apiserver words them", arguments: [
        ("app=web tier=a", "found 'tier', expected: ',' or 'end of string'"),
        ("app=web,", "found '', expected: identifier after ','"),
        ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
        ("a in b", "unable to parse requirement: found 'b' expected: '('"),
        ("a in (x", "unable to parse requirement: found '', expected: ',' or ')'"),
        ("a in (b,c", "unable to parse requirement: found '', expected: ',' or ')'"),
        ("a ~ b", "unable to parse requirement: found '~', expected: in, notin, =, ==, !=, gt, lt"),
        ("Bad_=x", "unable to parse requirement: <nil>: Invalid value: \"Bad_\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
        ("a=-x", "unable to parse requirement: values[0][a]: Invalid value: \"-x\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
        ("!", "unable to parse requirement: found '', expected: identifier"),
        (",a", "found ',', expected: !, identifier, or 'end of string'"),
        ("a=(b)", "unable to parse requirement: found '(', expected: identifier"),
        ("a>x", "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"),
        ("!a=b", "found '=', expected: ',' or 'end of string'"),
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
