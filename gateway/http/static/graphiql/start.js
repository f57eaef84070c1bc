// Starts GraphiQL on the gateway's page. A file, not an inline script: the page's CSP allows none.
"use strict";

(function () {
  const EXAMPLE = [
    "# Payer Gateway GraphiQL",
    "#",
    "# Open \"Headers\" below and add your credential:",
    "#   {\"Authorization\": \"Bearer <API key or access token>\"}",
    "# It stays in this tab only: nothing you type here is stored in the browser.",
    "",
    "{",
    "  payers {",
    "    id",
    "    name",
    "    protocol",
    "    capabilities",
    "  }",
    "}",
    "",
  ].join("\n");

  // GraphiQL keeps its tabs, history and headers in the storage it is given, localStorage by default,
  // where they would outlive the session on a shared front-desk computer. This one lives as long as
  // the page: a credential or a query naming a patient is gone when the tab closes.
  function pageStorage() {
    const items = new Map();
    return {
      getItem: (key) => (items.has(key) ? items.get(key) : null),
      setItem: (key, value) => {
        items.set(key, String(value));
      },
      removeItem: (key) => {
        items.delete(key);
      },
      clear: () => {
        items.clear();
      },
      get length() {
        return items.size;
      },
    };
  }

  // The page is served at the GraphQL endpoint itself; nothing is ever written into the URL.
  const endpoint = window.location.origin + window.location.pathname;
  const fetcher = GraphiQL.createFetcher({
    url: endpoint,
    subscriptionUrl: endpoint.replace(/^http/, "ws"), // headers go in connection_init
    enableIncrementalDelivery: false,
  });

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      storage: pageStorage(),
      shouldPersistHeaders: false,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: "headers",
      defaultQuery: EXAMPLE,
    }),
  );
})();
