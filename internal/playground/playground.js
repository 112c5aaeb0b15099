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
  const props = { fetcher };
  if (examples.length > 0) {
    props.defaultTabs = examples.map((e) => ({
      query: e.query,
      variables: e.variables || null,
    }));
  }

  root.textContent = '';
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, props));
})();
