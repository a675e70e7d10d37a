import { runObjectStoreContract } from './object-store-contract.ts';
import { target } from './targets/fs.ts';

await runObjectStoreContract(target);
