/**
 * The object store contract against s3rver, through the S3 adapter. The
 * groups s3rver itself cannot pass are declared by the target
 * (`serverDeviations`); s3-gateway.test.ts runs the whole contract.
 */
import { runObjectStoreContract } from './object-store-contract.ts';
import { target } from './targets/s3.ts';

await runObjectStoreContract(target);
