import { runObjectStoreContract } from './object-store-contract.ts';
import { target } from './targets/s3-gateway.ts';

await runObjectStoreContract(target);
