// Starts GraphiQL. It lives in its own file, not inline in the page, so the
// Content-Security-Policy can stay script-src 'self'. The page hands over its
// data as JSON in a non-executable <script type="application/json">.
(() => {
  'use strict';
  const root = document.getElementById('graphiql');
  const examples = JSON.parse(document.getElementById('examples').textContent);

  // Plain POST of JSON. Incremental delivery is off so every request is a
  // single JSON response; lower-case "accept" lets the headers editor override it.
  const fetcher = GraphiQL.createFetcher({
    url: root.dataset.endpoint,
    headers: { accept: 'application/graphql-response+json, application/json' },
    enableIncrementalDelivery: false,
  });

  // Each example opens as its own tab (titled by its operation name), the
  // first one active. GraphiQL only uses defaultTabs when localStorage holds
  // no tabs yet; "Clear storage" in its settings brings them back.
  const tabs = examples.map((e) => ({
    query: e.query,
    variables: e.variables || null,
  }));
  const props = { fetcher };

  // A link to /?query=...&variables=... (the pages' figures link their
  // requests so) opens that request in the active tab: in a tab of its own
  // beside the saved ones, or before the examples on a first visit.
  const params = new URLSearchParams(window.location.search);
  const linked = params.get('query');
  if (linked) {
    let variables = params.get('variables');
    try {
      variables = variables ? JSON.stringify(JSON.parse(variables), null, 2) : null;
    } catch {
      // Not JSON: shown as it is, so GraphiQL reports it.
    }
    props.query = linked;
    props.variables = variables;
    tabs.unshift({ query: linked, variables });
  }
  if (tabs.length > 0) {
    props.defaultTabs = tabs;
  }

  root.textContent = '';
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, props));
})();
