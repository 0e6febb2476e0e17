export const TRIVIAL_ROUTE = '/ping';
