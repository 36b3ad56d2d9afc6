/**
 * @module web/usage
 * Where a service's usage chart and limits go. The helper does not serve usage yet
 * (`GET /api/services/{id}/usage` is planned): until it does, this renders nothing. When it lands, fetch it
 * here (through the page's API client) and return a chart element (inline SVG built with the DOM, no
 * library, no inline style) with a text table of the same numbers for screen readers.
 */

/**
 * The usage element of one service's card, or null when there is nothing to show.
 * @param {object} _service a service of `GET /api/services`
 * @param {object} _api the page's API client
 * @returns {Promise<Element | null>}
 */
export async function renderUsage(_service, _api) {
  return null;
}
