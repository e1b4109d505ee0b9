/**
 * @module The PGs for which i'mport revokes an unpaid virtual account (`DELETE /vbanks/{imp_uid}`, iamport-v1.md §5.1);
 * KG Inicis's only with Inicis's own key (`pg_api_key`, §4.1). The gateway and the fake i'mport both read it.
 */
export const REVOKING_PGS: ReadonlySet<string> = new Set([
  'html5_inicis',
  'uplus',
  'danal',
  'nice',
  'kicc',
  'settle',
  'smartro',
  'tosspayments',
  'ksnet',
  'smartro_v2',
  'nice_v2',
  'welcome',
]);
